import { OWNER_HAS_FACTOR_SQL } from "../credentials/owner-permissions-sql.ts";
import { db, type Tx } from "../db/client.ts";
import { pruneSignInCounts, signInCountsByDay } from "../overview/sign-in-health.ts";
import { addDays, startOfUtcDay, utcDay } from "./periods.ts";
import { runOncePer, withJobLock } from "./run-once.ts";

/**
 * The overview's charts read DailyMetric: one row per (metric, UTC day). The counter metrics come
 * from SignInCount (kept 31 days), so the rollup is what keeps their history; the snapshot metrics
 * (who is active, who has a second factor) can only be read as they are now, so each day keeps the
 * last value seen during it.
 */
export const ROLLUP_JOB = "rollup";

/** SignInCount rows are kept this long (the overview's 30 days and one to spare). */
export const SIGN_IN_COUNT_DAYS = 31;
/** Per-permission use rows are kept this long (more than any idle window Settings allow in practice). */
export const PERMISSION_USE_DAYS = 400;
/** How far back the daily run rewrites counter figures (everything SignInCount still holds). */
const BACKFILL_DAYS = SIGN_IN_COUNT_DAYS - 1;

type DayCounts = { day: string; signIns: number; failures: number }[];

/**
 * sign_ins and sign_in_failures per UTC day, as lib/overview/sign-in-health.ts reads them from the
 * hourly totals (failures: wrong passwords, second factors and lockouts). Read before the writing
 * transaction opens: that reader uses the pool, and embedded mode's one connection would be the
 * transaction's. A figure is rewritten, never added to, so running twice changes nothing.
 */
function readCounterDays(from: Date, through: Date): Promise<DayCounts> {
  return signInCountsByDay(from, addDays(through, 1));
}

async function writeCounterDays(tx: Tx, days: DayCounts): Promise<number> {
  if (days.length === 0) return 0;
  return tx.$executeRaw`
    INSERT INTO "DailyMetric" ("day", "metric", "value")
    SELECT v.day::date, m.metric, CASE WHEN m.metric = 'sign_ins' THEN v.sign_ins ELSE v.failures END
    FROM unnest(${days.map((d) => d.day)}::text[], ${days.map((d) => d.signIns)}::int[], ${days.map((d) => d.failures)}::int[])
      AS v(day, sign_ins, failures)
    CROSS JOIN (VALUES ('sign_ins'), ('sign_in_failures')) AS m(metric)
    ON CONFLICT ("metric", "day") DO UPDATE SET "value" = EXCLUDED."value"`;
}

/**
 * active_users and mfa_users (active users with a confirmed authenticator app or a passkey, as
 * lib/mfa/factors.ts counts a second factor) as they are now, for `day`. `overwrite` for today
 * (the latest value seen wins); not when finalizing yesterday, whose last value seen during the day
 * is truer than today's.
 */
async function writeSnapshot(tx: Tx, day: Date, overwrite: boolean): Promise<void> {
  const conflict = overwrite ? `DO UPDATE SET "value" = EXCLUDED."value"` : "DO NOTHING";
  await tx.$executeRawUnsafe(
    `INSERT INTO "DailyMetric" ("day", "metric", "value")
     SELECT $1::date, m.metric, m.value FROM (
       SELECT count(*)::int AS active, (count(*) FILTER (WHERE ${OWNER_HAS_FACTOR_SQL}))::int AS mfa
       FROM "User" u WHERE u.status = 'active') s
     CROSS JOIN LATERAL (VALUES ('active_users', s.active), ('mfa_users', s.mfa)) AS m(metric, value)
     ON CONFLICT ("metric", "day") ${conflict}`,
    utcDay(day),
  );
}

/** Drops counters past their keeping: sign-in counts after 31 days, per-permission use after 400. */
async function prune(now: Date): Promise<{ signInCounts: number; permissionUses: number }> {
  const today = startOfUtcDay(now);
  const usesBefore = addDays(today, -PERMISSION_USE_DAYS);
  const signInCounts = await pruneSignInCounts(addDays(today, -SIGN_IN_COUNT_DAYS));
  const tokenUses = await db.apiTokenPermissionUse.deleteMany({ where: { day: { lt: usesBefore } } });
  const clientUses = await db.apiClientPermissionUse.deleteMany({ where: { day: { lt: usesBefore } } });
  return { signInCounts, permissionUses: tokenUses.count + clientUses.count };
}

export type RollupResult = {
  /** Today's figures were rewritten (false: another instance was doing it). */
  refreshed: boolean;
  /** The day this run finalized, when it was the one to. */
  finalized: string | null;
};

/**
 * One tick of the rollup: today's figures (and yesterday's counters, whose last hour may have been
 * flushed since) refreshed under the job's lock; once per day across all instances, yesterday
 * finalized, the counter history rewritten from what SignInCount still holds (a gap while every
 * instance was down fills in), and old counters pruned.
 */
export async function runDailyRollup(now: Date): Promise<RollupResult> {
  const today = startOfUtcDay(now);
  const yesterday = addDays(today, -1);
  const recent = await readCounterDays(yesterday, today);
  const refreshed = await withJobLock(ROLLUP_JOB, async (tx) => {
    await writeCounterDays(tx, recent);
    await writeSnapshot(tx, today, true);
  });
  const day = utcDay(yesterday);
  const final = await runOncePer(ROLLUP_JOB, day, async () => {
    const history = await readCounterDays(addDays(yesterday, -BACKFILL_DAYS), yesterday);
    const days = await db.$transaction(async (tx) => {
      const written = await writeCounterDays(tx, history);
      await writeSnapshot(tx, yesterday, false);
      return written;
    });
    const pruned = await prune(now);
    return {
      summary: `${days} counter figures rewritten; pruned ${pruned.signInCounts} sign-in counts, ${pruned.permissionUses} permission-use rows`,
    };
  });
  return { refreshed: refreshed !== null, finalized: final.ran ? day : null };
}
