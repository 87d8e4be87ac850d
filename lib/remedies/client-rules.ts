import { BUILT_IN_API_ID } from "../apis/built-in-api.ts";
import { qualifiedName, ungrantable } from "../apis/holdings.ts";
import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { Forbidden } from "../errors/app-error.ts";

/** The ids of a client's permissions of APIs other than Keyward's (read on the pool, before the change). */
export async function otherApiPermissionIds(clientId: string): Promise<string[]> {
  const rows = await db.apiClientPermission.findMany({
    where: { clientId, permission: { apiId: { not: BUILT_IN_API_ID } } },
    select: { permissionId: true },
  });
  return rows.map((row) => row.permissionId).sort();
}

/**
 * The rule lib/clients/manage-clients.ts applies before any change to a client (its private
 * `assertMayManageApiScopes`): the actor must be able to allow every permission of another API the
 * client is allowed (roles, Administrator, or owning that API). Read before the change's
 * transaction, on the pool; returns the ids so the transaction can check nobody changed them.
 */
export async function assertMayManageClientApis(actor: Principal, clientId: string): Promise<string[]> {
  const current = await otherApiPermissionIds(clientId);
  if (current.length === 0) return current;
  const { missing } = await ungrantable(actor, current);
  if (missing.length > 0) {
    throw Forbidden(
      `This client is allowed permissions you could not allow (${missing.map(qualifiedName).join(", ")}), so you cannot manage it.`,
    );
  }
  return current;
}
