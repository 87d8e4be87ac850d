"use server";

import { catalogAction } from "@/lib/apis/catalog-action";
import { action } from "@/lib/http/action";
import { createRole, deleteRole, updateRole } from "@/lib/roles/manage-role";
import { createRoleSchema, deleteRoleSchema, updateRoleSchema } from "@/lib/roles/role-schemas";

const roleForm = { arrays: ["permissions", "apiPermissionIds"], booleans: ["requiresMfa"] };

export const createRoleAction = action(
  { permission: "roles.write", stepUp: true, schema: createRoleSchema, ...roleForm },
  async ({ principal, input, context }) => {
    const { id } = await createRole({ ...input, actor: principal, context });
    return { message: `Role ${input.name} created.`, redirectTo: `/roles/${id}?created=1` };
  },
);

export const updateRoleAction = action(
  { permission: "roles.write", stepUp: true, schema: updateRoleSchema, ...roleForm },
  async ({ principal, input, context }) => {
    await updateRole({ ...input, actor: principal, context });
    return { message: "Role saved. Its holders have the new permissions from their next request." };
  },
);

export const deleteRoleAction = action(
  { permission: "roles.write", stepUp: true, schema: deleteRoleSchema, booleans: ["removeFromHolders"] },
  async ({ principal, input, context }) => {
    await deleteRole({ ...input, actor: principal, context });
    return { message: "Role deleted.", redirectTo: "/roles?deleted=1" };
  },
);

/** The role editor's API permission picker: a page of the catalog, searched (a read, no re-render). */
export const roleCatalogAction = catalogAction("roles.read");
