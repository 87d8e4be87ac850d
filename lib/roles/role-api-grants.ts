import { BUILT_IN_API_ID } from "../apis/built-in-api.ts";
import { assertMayGrant } from "../apis/holdings.ts";
import type { Principal } from "../auth/principal.ts";
import type { Tx } from "../db/client.ts";

/**
 * Giving someone roles, or taking them away, grants or removes what the roles carry: their other
 * APIs' permissions too (lib/apis/holdings.ts). The built-in Administrator carries every permission
 * of every API with no rows, so giving it needs them all: holding every Keyward permission through
 * a custom role does not reach the Orders API's.
 */
export async function assertMayGiveRoles(
  tx: Tx,
  actor: Principal,
  roles: readonly { id: string; builtInKey: string | null }[],
): Promise<void> {
  if (roles.length === 0) return;
  const all = roles.some((role) => role.builtInKey === "admin");
  const others = await tx.apiPermission.findMany({
    where: {
      apiId: { not: BUILT_IN_API_ID },
      ...(all ? {} : { roles: { some: { roleId: { in: roles.map((role) => role.id) } } } }),
    },
    select: { id: true },
  });
  await assertMayGrant(actor, { added: [], touched: others.map((row) => row.id) });
}
