import { z } from "zod";

import { PERMISSIONS } from "../policy/permissions.ts";
import { roleIdSchema } from "../users/user-schemas.ts";

const permissionSchema = z.enum(PERMISSIONS, { error: "Unknown permission." });

export const roleFieldsSchema = z.object({
  name: z
    .string({ error: "Enter a name." })
    .trim()
    .min(1, "Enter a name.")
    .max(60, "A role name has at most 60 characters."),
  description: z.string().trim().max(500, "A description has at most 500 characters.").default(""),
  permissions: z
    .array(permissionSchema)
    .max(PERMISSIONS.length, "Too many permissions.")
    .default([])
    .transform((list) => [...new Set(list)].sort()),
  requiresMfa: z.boolean().default(false),
});

export const createRoleSchema = roleFieldsSchema;
export const updateRoleSchema = roleFieldsSchema.extend({ roleId: roleIdSchema });
export const deleteRoleSchema = z.object({
  roleId: roleIdSchema,
  removeFromHolders: z.boolean().default(false),
});

export type RoleFields = z.infer<typeof roleFieldsSchema>;
