import { OWNER_HAS_FACTOR_SQL } from "../credentials/owner-permissions-sql.ts";
import { db, type Tx } from "../db/client.ts";
import { addDays, startOfUtcDay, utcDay } from "./periods.ts";
import { runOncePer, withJobLock } from "./run-once.ts";

/**
 * The overview's charts read DailyMetric: one row per (metric, UTC day). The counter metrics come
 * from SignInCount (kept 31 days), so the rollup is what keeps their history; the snapshot metrics
 * (who is active, who has a second factor) can only be read as they are now, so each day keeps the
 * last value seen during it.
 */
export const ROLLUP_JOB = "rollup";

/** SignInCount kinds that are a sign-in that did not get in (a refused attempt during a lockout too). */
export const FAILURE_KINDS = ["password_failed", "second_factor_failed", "lockout"] as const;

/** SignInCount rows are kept this long (the overview's 30 days and one to spare). */
export const SIGN_IN_COUNT_DAYS = 31;
/** Per-permission use rows are kept this long (more than any idle window Settings allow in practice). */
export const PERMISSION_USE_DAYS = 400;
/** How far back the daily run rewrites counter figures (everything SignInCount still holds). */
const BACKFILL_DAYS = SIGN_IN_COUNT_DAYS - 1;

/**
 * sign_ins and sign_in_failures for each UTC day in [from, to], from the hourly totals. Only days
 * with counts get a row (a missing row reads as zero), and a row is rewritten, never added to, so
 * running twice changes nothing.
 */
async function writeCounterDays(tx: Tx, from: Date, to: Date): Promise<number> {
  return tx.$executeRaw`
    INSERT INTO "DailyMetric" ("day", "metric", "value")
    SELECT date_trunc('day', c."hour")::date,
      CASE WHEN c.kind = 'sign_in' THEN 'sign_ins' ELSE 'sign_in_failures' END,
      sum(c.count)::int
    FROM "SignInCount" c
    WHERE c.dimension = 'total' AND c.kind = ANY(${["sign_in", ...FAILURE_KINDS]}::text[])
      AND c."hour" >= ${utcDay(from)}::date AND c."hour" < ${utcDay(to)}::date + 1
    GROUP BY 1, 2
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
async function prune(tx: Tx, now: Date): Promise<{ signInCounts: number; permissionUses: number }> {
  const today = startOfUtcDay(now);
  const countsBefore = addDays(today, -SIGN_IN_COUNT_DAYS);
  const usesBefore = addDays(today, -PERMISSION_USE_DAYS);
  const signInCounts = await tx.signInCount.deleteMany({ where: { hour: { lt: countsBefore } } });
  const tokenUses = await tx.apiTokenPermissionUse.deleteMany({ where: { day: { lt: usesBefore } } });
  const clientUses = await tx.apiClientPermissionUse.deleteMany({ where: { day: { lt: usesBefore } } });
  return { signInCounts: signInCounts.count, permissionUses: tokenUses.count + clientUses.count };
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
  const refreshed = await withJobLock(ROLLUP_JOB, async (tx) => {
    await writeCounterDays(tx, yesterday, today);
    await writeSnapshot(tx, today, true);
  });
  const day = utcDay(yesterday);
  const final = await runOncePer(ROLLUP_JOB, day, () =>
    db.$transaction(async (tx) => {
      const days = await writeCounterDays(tx, addDays(yesterday, -BACKFILL_DAYS), yesterday);
      await writeSnapshot(tx, yesterday, false);
      const pruned = await prune(tx, now);
      return {
        summary: `${days} counter figures rewritten; pruned ${pruned.signInCounts} sign-in counts, ${pruned.permissionUses} permission-use rows`,
      };
    }),
  );
  return { refreshed: refreshed !== null, finalized: final.ran ? day : null };
}
