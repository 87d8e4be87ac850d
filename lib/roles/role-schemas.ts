import { z } from "zod";

import { apiPermissionIdListSchema } from "../apis/api-permission-schema.ts";
import { searchTextSchema } from "../http/search-schema.ts";
import { permissionListSchema } from "../policy/permission-schema.ts";
import { roleIdSchema } from "../users/user-schemas.ts";

export const roleFieldsSchema = z.object({
  name: z
    .string({ error: "Enter a name." })
    .trim()
    .min(1, "Enter a name.")
    .max(60, "A role name has at most 60 characters."),
  description: z.string().trim().max(500, "A description has at most 500 characters.").default(""),
  permissions: permissionListSchema.default([]),
  requiresMfa: z.boolean().default(false),
  /**
   * Permissions of the other registered APIs (Keyward's own are `permissions`). Absent leaves a
   * role's grants as they are, so a client that only knows `permissions` never erases them.
   */
  apiPermissionIds: apiPermissionIdListSchema.optional(),
});

/** The roles list: a name search and a page (`after`: the last role id of the previous page). */
export const listRolesSchema = z.object({
  q: searchTextSchema,
  after: roleIdSchema.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const createRoleSchema = roleFieldsSchema;
export const updateRoleSchema = roleFieldsSchema.extend({ roleId: roleIdSchema });
export const deleteRoleSchema = z.object({
  roleId: roleIdSchema,
  removeFromHolders: z.boolean().default(false),
});

export type RoleFields = z.infer<typeof roleFieldsSchema>;
