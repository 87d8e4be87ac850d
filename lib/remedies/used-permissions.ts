import { db, type Db, type Tx } from "../db/client.ts";
import type { Settings } from "../settings/settings.ts";

const DAY_MS = 86_400_000;

export type CredentialKind = "token" | "client";

/** One permission a credential used since a day, from the daily counts. */
export type UsedPermission = { permissionId: string; uses: number; lastDay: Date };

/** Midnight UTC of the day `at` falls on: the daily counts are kept per UTC day. */
export function utcDay(at: Date): Date {
  return new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
}

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
  const day = { gte: utcDay(since) };
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

/**
 * The idle window a credential's permission use is judged over: from the latest of now − the idle
 * period, its creation and the day counting began, to now. `whole` is false while the credential or
 * the counting is younger than the idle period: too soon to say a permission is unused. Counting
 * that never began (no `permissionUseSince`) judges nothing. The same rule as the overview's
 * over-scoped lists (lib/overview/risk-conditions.ts).
 */
export function useWindow(
  createdAt: Date,
  settings: Pick<Settings, "idleCredentialDays" | "permissionUseSince">,
  now = new Date(),
): { since: Date; whole: boolean; idleDays: number } {
  const idleDays = settings.idleCredentialDays;
  const idleStart = now.getTime() - idleDays * DAY_MS;
  const counting = settings.permissionUseSince ? new Date(settings.permissionUseSince).getTime() : NaN;
  const countingStart = Number.isNaN(counting) ? now.getTime() : counting;
  const since = Math.max(idleStart, createdAt.getTime(), countingStart);
  return { since: new Date(since), whole: since <= idleStart, idleDays };
}
