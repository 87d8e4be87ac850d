import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { authorize, missingPermissions } from "../policy/authorize.ts";
import { GRANT_SELECT, splitGrants } from "../apis/built-in-api.ts";

/**
 * The roles a user manager can choose from when inviting or assigning (part of users.write, so it
 * does not need roles.read), each marked with whether this actor may give it.
 */
export async function grantableRoles(actor: Principal) {
  authorize(actor, "users.write");
  const roles = await db.role.findMany({
    orderBy: [{ builtInKey: { sort: "asc", nulls: "last" } }, { name: "asc" }],
    include: { grants: GRANT_SELECT },
  });
  return roles.map((role) => {
    const { permissions } = splitGrants(role.grants);
    return {
      id: role.id,
      name: role.name,
      description: role.description,
      grantable: missingPermissions(actor, permissions).length === 0,
    };
  });
}
