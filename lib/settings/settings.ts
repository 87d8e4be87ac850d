import { z } from "zod";

import { cachedCredential } from "../credentials/credential-cache.ts";
import { credentialsChanged, ensureChangeFeed } from "../credentials/change-feed.ts";
import type { Db, Tx } from "../db/client.ts";

/** Global settings: typed, with defaults here; rows in `Setting` override them. */
export const settingsSchema = z.object({
  sessionIdleMinutes: z
    .number()
    .int()
    .min(5)
    .max(24 * 60)
    .default(30),
  sessionAbsoluteHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(12),
  setupCompletedAt: z.string().nullable().default(null),
  /** Sensitive actions need a sign-in (and second factor, if any) within this many minutes. */
  stepUpMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(10),
  /** Everyone must enroll a second factor, whatever their roles. */
  mfaRequiredForAll: z.boolean().default(false),
  /** Personal API tokens expire within this many days of minting. */
  tokenMaxLifetimeDays: z.number().int().min(1).max(3650).default(90),
  /** Whether a personal token may be minted with no expiry at all. */
  tokenAllowNoExpiry: z.boolean().default(false),
  /** Lifetime of client access tokens (JWTs). */
  accessTokenMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** The signing key is replaced when it is this old (checked when a token is issued). */
  signingKeyRotationDays: z.number().int().min(1).max(3650).default(90),
  /** Audit events older than this many days are pruned behind a signed checkpoint; 0 keeps all. */
  auditRetentionDays: z.number().int().min(0).max(36500).default(0),
  /** The overview (issue 17): an account with no sign-in for this many days is dormant. */
  dormantAccountDays: z.number().int().min(7).max(3650).default(90),
  /** A token or client unused (or a permission it holds unused) this many days is idle. */
  idleCredentialDays: z.number().int().min(7).max(3650).default(30),
  /** A token's or client's secret older than this many days is due for rotation. */
  secretRotationDays: z.number().int().min(7).max(3650).default(90),
  /** Administrators who opted in are alerted when sign-in failures in one hour reach this many. */
  failureAlertPerHour: z.number().int().min(1).max(1_000_000).default(100),
  /** When per-permission use began to be counted (set by the migration that added it): the
   * least-privilege list judges a credential only on days since. Not shown in Settings. */
  permissionUseSince: z.string().nullable().default(null),
});

export type Settings = z.infer<typeof settingsSchema>;
export type SettingKey = keyof Settings;

/**
 * Settings are read on nearly every request, so they are cached like credentials
 * (lib/credentials/credential-cache.ts), under the tag "settings": a change drops them here at once
 * and on every other instance through the change feed when it commits, and while the feed is down
 * each request reads them from the database. No TTL decides when a change takes effect.
 */
export async function getSettings(client: Db | Tx, options: { fresh?: boolean } = {}): Promise<Settings> {
  if (options.fresh) return readSettings(client);
  ensureChangeFeed();
  const value = await cachedCredential("settings", async () => ({
    value: await readSettings(client),
    tags: ["settings"],
  }));
  // Only an unknown credential loads as null; the settings always load.
  return value ?? readSettings(client);
}

async function readSettings(client: Db | Tx): Promise<Settings> {
  const rows = await client.setting.findMany();
  const raw = Object.fromEntries(rows.map((row) => [row.key, row.value]));
  // An unreadable stored value falls back to its default rather than breaking every request.
  return Object.fromEntries(
    Object.entries(settingsSchema.shape).map(([key, schema]) => {
      const parsed = schema.safeParse(raw[key]);
      return [key, parsed.success ? parsed.data : schema.parse(undefined)];
    }),
  ) as Settings;
}

export async function setSetting<K extends SettingKey>(
  tx: Tx,
  key: K,
  value: Settings[K],
  updatedBy?: string,
): Promise<void> {
  // Prisma's Json input type does not admit plain scalars in its declaration, though it stores them.
  const parsed = settingsSchema.shape[key].parse(value) as unknown as object;
  await tx.setting.upsert({
    where: { key },
    create: { key, value: parsed, updatedBy: updatedBy ?? null },
    update: { value: parsed, updatedBy: updatedBy ?? null },
  });
  await credentialsChanged(tx, ["settings"]);
}

/** Back to the default: the stored value goes, on every instance at the next request. */
export async function resetSetting(tx: Tx, key: SettingKey): Promise<void> {
  await tx.setting.deleteMany({ where: { key } });
  await credentialsChanged(tx, ["settings"]);
}
