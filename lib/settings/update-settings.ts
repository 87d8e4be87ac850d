import { z } from "zod";

import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { accountableUserId, type Principal, type RequestContext } from "../auth/principal.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { db } from "../db/client.ts";
import { authorize } from "../policy/authorize.ts";
import { getSettings, setSetting, type Settings } from "./settings.ts";

export const securitySettingsSchema = z.object({
  mfaRequiredForAll: z.boolean().default(false),
  stepUpMinutes: z.coerce
    .number({ error: "Enter a number of minutes." })
    .int("Whole minutes.")
    .min(1, "At least 1 minute.")
    .max(24 * 60, "At most 24 hours."),
  sessionIdleMinutes: z.coerce
    .number({ error: "Enter a number of minutes." })
    .int("Whole minutes.")
    .min(5, "At least 5 minutes.")
    .max(24 * 60, "At most 24 hours."),
  sessionAbsoluteHours: z.coerce
    .number({ error: "Enter a number of hours." })
    .int("Whole hours.")
    .min(1, "At least 1 hour.")
    .max(24 * 30, "At most 30 days."),
});
export type SecuritySettings = z.infer<typeof securitySettingsSchema>;

const wholeNumber = (unit: string, min: number, max: number, minText: string, maxText: string) =>
  z.coerce
    .number({ error: `Enter a number of ${unit}.` })
    .int(`Whole ${unit}.`)
    .min(min, minText)
    .max(max, maxText);

/** Policy for API credentials: personal token lifetimes, access token lifetime, key rotation. */
export const credentialSettingsSchema = z.object({
  tokenMaxLifetimeDays: wholeNumber("days", 1, 3650, "At least 1 day.", "At most 10 years."),
  tokenAllowNoExpiry: z.boolean().default(false),
  accessTokenMinutes: wholeNumber("minutes", 1, 24 * 60, "At least 1 minute.", "At most 24 hours."),
  signingKeyRotationDays: wholeNumber("days", 1, 3650, "At least 1 day.", "At most 10 years."),
});
export type CredentialSettings = z.infer<typeof credentialSettingsSchema>;

export const auditSettingsSchema = z.object({
  auditRetentionDays: wholeNumber("days", 0, 36500, "0 keeps every event.", "At most 100 years."),
});
export type AuditSettings = z.infer<typeof auditSettingsSchema>;

/** What the security overview calls dormant, idle and old, and when failures alert (issue 17). */
export const overviewSettingsSchema = z.object({
  dormantAccountDays: wholeNumber("days", 7, 3650, "At least 7 days.", "At most 10 years."),
  idleCredentialDays: wholeNumber("days", 7, 3650, "At least 7 days.", "At most 10 years."),
  secretRotationDays: wholeNumber("days", 7, 3650, "At least 7 days.", "At most 10 years."),
  failureAlertPerHour: wholeNumber("failures", 1, 1_000_000, "At least 1.", "At most 1,000,000."),
});
export type OverviewSettings = z.infer<typeof overviewSettingsSchema>;

/** Global security settings (settings.write, with a fresh sign-in); before/after in the audit log. */
export async function updateSecuritySettings(
  input: SecuritySettings & { actor: Principal; context: RequestContext },
): Promise<void> {
  await saveSettings(
    input,
    ["mfaRequiredForAll", "stepUpMinutes", "sessionIdleMinutes", "sessionAbsoluteHours"],
    "security",
  );
}

export async function updateCredentialSettings(
  input: CredentialSettings & { actor: Principal; context: RequestContext },
): Promise<void> {
  await saveSettings(
    input,
    ["tokenMaxLifetimeDays", "tokenAllowNoExpiry", "accessTokenMinutes", "signingKeyRotationDays"],
    "credentials",
  );
}

type Editable = Pick<
  Settings,
  keyof SecuritySettings | keyof CredentialSettings | keyof AuditSettings | keyof OverviewSettings
>;

export async function updateOverviewSettings(
  input: OverviewSettings & { actor: Principal; context: RequestContext },
): Promise<void> {
  await saveSettings(
    input,
    ["dormantAccountDays", "idleCredentialDays", "secretRotationDays", "failureAlertPerHour"],
    "overview",
  );
}

export async function updateAuditSettings(
  input: AuditSettings & { actor: Principal; context: RequestContext },
): Promise<void> {
  await saveSettings(input, ["auditRetentionDays"], "audit");
}

async function saveSettings<K extends keyof Editable>(
  input: Pick<Editable, K> & { actor: Principal; context: RequestContext },
  keys: readonly K[],
  group: string,
): Promise<void> {
  authorize(input.actor, "settings.write");
  await assertRecentAuth(input.actor);
  await db.$transaction(async (tx) => {
    const current = await getSettings(tx, { fresh: true });
    const wanted = input as unknown as Pick<Settings, K>;
    const changed = keys.filter((key) => current[key] !== wanted[key]);
    if (changed.length === 0) return;
    for (const key of changed) await setSetting(tx, key, wanted[key], accountableUserId(input.actor));
    await recordAudit(tx, {
      action: "settings.updated",
      actor: auditActor(input.actor),
      target: { kind: "settings", id: group },
      context: input.context,
      details: {
        before: Object.fromEntries(changed.map((k) => [k, current[k]])),
        after: Object.fromEntries(changed.map((k) => [k, wanted[k]])),
      },
    });
  });
}
