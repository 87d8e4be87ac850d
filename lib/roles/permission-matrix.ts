import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { authorize } from "../policy/authorize.ts";
import { builtInPermissionId } from "../apis/built-in-api.ts";
import type { Permission } from "../policy/permissions.ts";
import { listRoles } from "./list-roles.ts";

/** Roles × permissions at a glance. */
export async function permissionMatrix(actor: Principal) {
  return listRoles(actor);
}

/** Who holds a permission, and through which roles. Needs users.read as well as roles.read. */
export async function holdersOfPermission(actor: Principal, permission: Permission, take = 100) {
  authorize(actor, "roles.read");
  authorize(actor, "users.read");
  const holds = { role: { grants: { some: { permissionId: builtInPermissionId(permission) } } } };
  const users = await db.user.findMany({
    where: { roles: { some: holds } },
    select: {
      id: true,
      email: true,
      name: true,
      status: true,
      roles: {
        where: holds,
        select: { role: { select: { name: true } } },
      },
    },
    orderBy: { email: "asc" },
    take,
  });
  return users.map((user) => ({ ...user, via: user.roles.map(({ role }) => role.name) }));
}
