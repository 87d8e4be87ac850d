import { db, type Db, type Tx } from "../db/client.ts";
import { startOfUtcDay } from "../jobs/periods.ts";

export type CredentialKind = "token" | "client";

/** One permission a credential used since a day, from the daily counts. */
export type UsedPermission = { permissionId: string; uses: number; lastDay: Date };

/**
 * The permissions (of any API) a personal token or API client used on the UTC day of `since` or
 * later, per the daily counts written by lib/credentials/permission-use.ts, with how often and the
 * last day. Read-only; inside a transaction pass it (embedded mode has one connection).
 */
export async function usedPermissions(
  kind: CredentialKind,
  id: string,
  since: Date,
  client: Db | Tx = db,
): Promise<UsedPermission[]> {
  // The daily counts are kept per UTC day.
  const day = { gte: startOfUtcDay(since) };
  const rows =
    kind === "token"
      ? await client.apiTokenPermissionUse.groupBy({
          by: ["permissionId"],
          where: { tokenId: id, day, count: { gt: 0 } },
          _sum: { count: true },
          _max: { day: true },
        })
      : await client.apiClientPermissionUse.groupBy({
          by: ["permissionId"],
          where: { clientId: id, day, count: { gt: 0 } },
          _sum: { count: true },
          _max: { day: true },
        });
  return rows
    .map((row) => ({
      permissionId: row.permissionId,
      uses: row._sum.count ?? 0,
      lastDay: row._max.day ?? day.gte,
    }))
    .sort((a, b) => a.permissionId.localeCompare(b.permissionId));
}
