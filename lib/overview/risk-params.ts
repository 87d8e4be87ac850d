import { db } from "../db/client.ts";
import { getSettings } from "../settings/settings.ts";

const DAY_MS = 86_400_000;

/** The days and dates the risk lists are judged by, from Settings (shown on the overview too). */
export type RiskWindow = {
  now: Date;
  idleDays: number;
  rotationDays: number;
  dormantDays: number;
  /** The first day per-permission use can be judged on: the later of now − idle days and the day counting began. */
  useSince: Date;
  /** When per-permission use began to be counted. */
  countingSince: Date;
  mfaForAll: boolean;
};

export async function riskWindow(now = new Date()): Promise<RiskWindow> {
  const settings = await getSettings(db);
  const idleBefore = new Date(now.getTime() - settings.idleCredentialDays * DAY_MS);
  const countingSince = settings.permissionUseSince ? new Date(settings.permissionUseSince) : now;
  return {
    now,
    idleDays: settings.idleCredentialDays,
    rotationDays: settings.secretRotationDays,
    dormantDays: settings.dormantAccountDays,
    useSince: new Date(
      Math.max(idleBefore.getTime(), Number.isNaN(countingSince.getTime()) ? 0 : countingSince.getTime()),
    ),
    countingSince,
    mfaForAll: settings.mfaRequiredForAll,
  };
}

/**
 * The `p` row every risk query joins (lib/overview/risk-conditions.ts), as SQL and its values
 * from `$first` on. Timestamps are stored as UTC without a zone, so parameters are turned into
 * that too, whatever the session's time zone.
 */
export function riskParamsSql(first: number): string {
  const at = (n: number) => `($${first + n}::timestamptz AT TIME ZONE 'UTC')`;
  return `p AS (SELECT ${at(0)} AS now, ${at(1)} AS idle_before, ${at(2)} AS rotation_before,
    ${at(3)} AS dormant_before, ${at(4)} AS soon, ($${first + 5}::timestamptz AT TIME ZONE 'UTC')::date AS use_since,
    ${at(6)} AS counting_since, $${first + 7}::boolean AS mfa_for_all)`;
}

export function riskParamValues(window: RiskWindow): (string | boolean)[] {
  const before = (days: number) => new Date(window.now.getTime() - days * DAY_MS).toISOString();
  return [
    window.now.toISOString(),
    before(window.idleDays),
    before(window.rotationDays),
    before(window.dormantDays),
    new Date(window.now.getTime() + 7 * DAY_MS).toISOString(),
    window.useSince.toISOString(),
    window.countingSince.toISOString(),
    window.mfaForAll,
  ];
}
