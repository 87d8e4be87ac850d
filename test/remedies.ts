import { builtInPermissionId } from "../lib/apis/built-in-api.ts";
import { credentialsChanged } from "../lib/credentials/change-feed.ts";
import { db } from "../lib/db/client.ts";
import type { Permission } from "../lib/policy/permissions.ts";
import { setSetting } from "../lib/settings/settings.ts";
import { startOfUtcDay } from "../lib/jobs/periods.ts";

const DAY_MS = 86_400_000;

export const daysAgo = (days: number, from = new Date()) => new Date(from.getTime() - days * DAY_MS);

/** Per-permission use began to be counted this many days ago (the migration sets it to its own day). */
export async function countingBegan(days: number): Promise<void> {
  await db.$transaction((tx) => setSetting(tx, "permissionUseSince", daysAgo(days).toISOString()));
}

/** The credential was made this many days ago (what the idle window is judged from). */
export async function madeDaysAgo(kind: "token" | "client", id: string, days: number): Promise<void> {
  await db.$transaction(async (tx) => {
    if (kind === "token") await tx.apiToken.update({ where: { id }, data: { createdAt: daysAgo(days) } });
    else await tx.apiClient.update({ where: { id }, data: { createdAt: daysAgo(days) } });
    await credentialsChanged(tx, [`${kind}:${id}`]);
  });
}

/**
 * Daily use counts as lib/credentials/permission-use.ts would have written them: `days` lists how
 * many days ago each use was (one row per day). `permission` is a Keyward permission name or the
 * id of another API's permission row.
 */
export async function recordUse(
  kind: "token" | "client",
  id: string,
  permission: Permission | string,
  days: readonly number[],
  count = 3,
): Promise<void> {
  const permissionId = permission.includes("_") ? permission : builtInPermissionId(permission as Permission);
  const rows = days.map((n) => ({ permissionId, day: startOfUtcDay(daysAgo(n)), count }));
  // The grant's last day of use too, as the batched flush writes it beside the daily counts.
  const lastUsedOn = startOfUtcDay(daysAgo(Math.min(...days)));
  if (kind === "token") {
    await db.apiTokenPermissionUse.createMany({ data: rows.map((row) => ({ ...row, tokenId: id })) });
    await db.apiTokenPermission.updateMany({ where: { tokenId: id, permissionId }, data: { lastUsedOn } });
  } else {
    await db.apiClientPermissionUse.createMany({ data: rows.map((row) => ({ ...row, clientId: id })) });
    await db.apiClientPermission.updateMany({ where: { clientId: id, permissionId }, data: { lastUsedOn } });
  }
}

/** 0, 1, … n−1: every day of the last n days. */
export const lastDays = (n: number) => Array.from({ length: n }, (_, index) => index);

/** A received message's text: quoted-printable (soft breaks, =XX bytes) decoded as UTF-8. */
export function mailText(raw: string): string {
  const unwrapped = raw.replace(/=\r?\n/g, "");
  const bytes: number[] = [];
  for (let index = 0; index < unwrapped.length; index++) {
    const hex = unwrapped.slice(index + 1, index + 3);
    if (unwrapped[index] === "=" && /^[0-9A-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      index += 2;
    } else {
      bytes.push(...Buffer.from(unwrapped[index] ?? "", "utf8"));
    }
  }
  return Buffer.from(bytes).toString("utf8").replace(/\r\n/g, "\n");
}
