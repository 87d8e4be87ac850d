import { db } from "../db/client.ts";
import { getSettings, type Settings } from "../settings/settings.ts";

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

/**
 * The window from Settings at `now`. Counting that never began (no `permissionUseSince`, or one
 * that does not parse) is taken to begin now: nothing is judged unused for days nobody counted.
 */
export function windowOf(
  settings: Pick<
    Settings,
    | "idleCredentialDays"
    | "secretRotationDays"
    | "dormantAccountDays"
    | "permissionUseSince"
    | "mfaRequiredForAll"
  >,
  now: Date,
): RiskWindow {
  const idleBefore = now.getTime() - settings.idleCredentialDays * DAY_MS;
  const stamped = settings.permissionUseSince ? Date.parse(settings.permissionUseSince) : NaN;
  const countingSince = new Date(Number.isNaN(stamped) ? now.getTime() : stamped);
  return {
    now,
    idleDays: settings.idleCredentialDays,
    rotationDays: settings.secretRotationDays,
    dormantDays: settings.dormantAccountDays,
    useSince: new Date(Math.max(idleBefore, countingSince.getTime())),
    countingSince,
    mfaForAll: settings.mfaRequiredForAll,
  };
}

export async function riskWindow(now = new Date()): Promise<RiskWindow> {
  return windowOf(await getSettings(db), now);
}

/**
 * The window one credential's permission use is judged over (narrowing, lib/remedies): from the
 * latest of the list's window start and its creation. `whole` is false while the credential or the
 * counting is younger than the idle period: too soon to say a permission is unused. The same rule
 * as the over-scoped lists' condition (lib/overview/risk-conditions.ts).
 */
export function credentialUseWindow(
  createdAt: Date,
  window: RiskWindow,
): { since: Date; whole: boolean; idleDays: number } {
  const idleStart = window.now.getTime() - window.idleDays * DAY_MS;
  const since = Math.max(window.useSince.getTime(), createdAt.getTime());
  return { since: new Date(since), whole: since <= idleStart, idleDays: window.idleDays };
}

/** A named parameter of a risk query: its value and how its placeholder is cast. */
export type RiskParam = { value: unknown; cast: (placeholder: string) => string };

/** Timestamps are stored as UTC without a zone, so parameters are turned into that too. */
const utc = (value: Date): RiskParam => ({
  value: value.toISOString(),
  cast: (n) => `(${n}::timestamptz AT TIME ZONE 'UTC')`,
});
export const textParam = (value: string): RiskParam => ({ value, cast: (n) => `${n}::text` });
export const intParam = (value: number): RiskParam => ({ value, cast: (n) => `${n}::int` });
export const utcParam = utc;

/** The parameters every risk condition may name (lib/overview/risk-conditions.ts), as `p.<name>`. */
export function riskParams(window: RiskWindow): Record<string, RiskParam> {
  const before = (days: number) => new Date(window.now.getTime() - days * DAY_MS);
  return {
    now: utc(window.now),
    idle_before: utc(before(window.idleDays)),
    rotation_before: utc(before(window.rotationDays)),
    dormant_before: utc(before(window.dormantDays)),
    soon: utc(new Date(window.now.getTime() + 7 * DAY_MS)),
    use_since: {
      value: window.useSince.toISOString(),
      cast: (n) => `((${n}::timestamptz AT TIME ZONE 'UTC')::date)`,
    },
    counting_since: utc(window.countingSince),
    mfa_for_all: { value: window.mfaForAll, cast: (n) => `(${n}::boolean)` },
  };
}

/**
 * A query written with `p.<name>` parameters, as a numbered query: each name that appears becomes
 * one placeholder (only those: PostgreSQL cannot type a placeholder a query never uses), inline
 * rather than a joined row, so the planner sees constants and hashes each uncorrelated subquery once.
 */
export function bindRiskParams(
  sql: string,
  params: Record<string, RiskParam>,
): { sql: string; values: unknown[] } {
  const numbers = new Map<string, number>();
  const values: unknown[] = [];
  const bound = sql.replace(/\bp\.([a-z_]+)\b/g, (whole, name: string) => {
    const param = params[name];
    if (!param) throw new Error(`unknown risk parameter ${whole}`);
    let n = numbers.get(name);
    if (n === undefined) {
      values.push(param.value);
      n = values.length;
      numbers.set(name, n);
    }
    return param.cast(`$${n}`);
  });
  return { sql: bound, values };
}
