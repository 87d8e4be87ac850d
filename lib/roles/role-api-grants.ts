import { BUILT_IN_API_ID, GRANT_SELECT, splitGrants } from "../apis/built-in-api.ts";
import { assertMayGrant } from "../apis/holdings.ts";
import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { assertCanGrant } from "../policy/grants.ts";

/**
 * Giving someone roles, or taking them away, grants or removes what the roles carry: their other
 * APIs' permissions too (lib/apis/holdings.ts). The built-in Administrator carries every permission
 * of every API with no rows, so giving it needs them all: holding every Keyward permission through
 * a custom role does not reach the Orders API's.
 *
 * Call it before the change's transaction, not inside: holdings.ts reads through the pool, which
 * embedded mode limits to the one connection the transaction would be holding. Unknown role ids
 * are left to the caller's own lookup (404).
 */
export async function assertMayGiveRoles(actor: Principal, roleIds: readonly string[]): Promise<void> {
  if (roleIds.length === 0) return;
  const roles = await db.role.findMany({
    where: { id: { in: [...roleIds] } },
    select: { id: true, builtInKey: true, grants: GRANT_SELECT },
  });
  // Keyward's own first, as the caller checks them again in its transaction: the refusal names them.
  assertCanGrant(actor, splitGrants(roles.flatMap((role) => role.grants)).permissions);
  const all = roles.some((role) => role.builtInKey === "admin");
  const others = await db.apiPermission.findMany({
    where: {
      apiId: { not: BUILT_IN_API_ID },
      ...(all ? {} : { roles: { some: { roleId: { in: roles.map((role) => role.id) } } } }),
    },
    select: { id: true },
  });
  await assertMayGrant(actor, { added: [], touched: others.map((row) => row.id) });
}
