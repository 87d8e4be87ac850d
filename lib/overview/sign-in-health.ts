import { FAILURE_KINDS } from "../auth/sign-in-counts.ts";
import { dbPool } from "../db/client.ts";

/**
 * The overview's sign-in health (issue 17), read from the hourly SignInCount rows that
 * lib/auth/sign-in-counts.ts writes. "Failures" everywhere are wrong passwords or unknown
 * accounts, second-factor failures and lockouts together. Windows are whole hours: "the last 24
 * hours" is the current hour and the 23 before it, "30 days" the current hour and the 719 before.
 * Counts still pending in memory (at most a few seconds' worth) are not included.
 */
export type Counts = { signIns: number; failed: number; lockouts: number; secondFactorFailed: number };
export type Ranked = { value: string; count: number };
export type SignInHealth = { last24h: Counts; last30d: Counts; topSources: Ranked[]; topAccounts: Ranked[] };

const HOUR_MS = 3_600_000;
const TOP = 10;

/** The start of the window of `hours` whole hours ending with the one `now` is in. */
const windowStart = (now: Date, hours: number) =>
  new Date((Math.floor(now.getTime() / HOUR_MS) - (hours - 1)) * HOUR_MS);

/** SignInCount.hour is a UTC timestamp without zone: parameters are compared as UTC. */
const HOUR_PARAM = (n: number) => `($${n}::timestamptz AT TIME ZONE 'UTC')`;

async function counts(since: Date): Promise<Counts> {
  const { rows } = await dbPool().query<{ kind: string; count: string }>(
    `SELECT kind, SUM(count)::bigint AS count FROM "SignInCount"
     WHERE dimension = 'total' AND hour >= ${HOUR_PARAM(1)} GROUP BY kind`,
    [since.toISOString()],
  );
  const by = new Map(rows.map((row) => [row.kind, Number(row.count)]));
  return {
    signIns: by.get("sign_in") ?? 0,
    failed: by.get("password_failed") ?? 0,
    lockouts: by.get("lockout") ?? 0,
    secondFactorFailed: by.get("second_factor_failed") ?? 0,
  };
}

async function top(dimension: "source" | "account", since: Date): Promise<Ranked[]> {
  const { rows } = await dbPool().query<{ value: string; count: string }>(
    `SELECT value, SUM(count)::bigint AS count FROM "SignInCount"
     WHERE dimension = $1 AND kind = ANY($2::text[]) AND hour >= ${HOUR_PARAM(3)}
     GROUP BY value ORDER BY count DESC, value LIMIT ${TOP}`,
    [dimension, FAILURE_KINDS, since.toISOString()],
  );
  return rows.map((row) => ({ value: row.value, count: Number(row.count) }));
}

/**
 * Sign-ins and failures in the last 24 hours and 30 days, and the 10 source addresses and the 10
 * accounts with the most failures over 30 days ("(other)" stands for the values folded together
 * when an hour saw more distinct ones than are kept apart).
 */
export async function signInHealth(now: Date = new Date()): Promise<SignInHealth> {
  const day = windowStart(now, 24);
  const month = windowStart(now, 30 * 24);
  const [last24h, last30d, topSources, topAccounts] = await Promise.all([
    counts(day),
    counts(month),
    top("source", month),
    top("account", month),
  ]);
  return { last24h, last30d, topSources, topAccounts };
}

/** Failures counted in hours starting at or after the start of `since`'s hour (the spike alert). */
export async function failuresSince(since: Date): Promise<number> {
  const { rows } = await dbPool().query<{ count: string }>(
    `SELECT COALESCE(SUM(count), 0)::bigint AS count FROM "SignInCount"
     WHERE dimension = 'total' AND kind = ANY($1::text[]) AND hour >= date_trunc('hour', ${HOUR_PARAM(2)})`,
    [FAILURE_KINDS, since.toISOString()],
  );
  return Number(rows[0]?.count ?? 0);
}

/**
 * Sign-ins and failures per UTC day, for every day from `from`'s day up to but not including
 * `to`'s day (zeros included), oldest first: what the daily rollup writes. Days are YYYY-MM-DD.
 */
export async function signInCountsByDay(
  from: Date,
  to: Date,
): Promise<{ day: string; signIns: number; failures: number }[]> {
  const { rows } = await dbPool().query<{ day: string; sign_ins: string; failures: string }>(
    `WITH days AS (
       SELECT d::date AS day FROM generate_series(
         (${HOUR_PARAM(1)})::date, (${HOUR_PARAM(2)})::date - 1, interval '1 day') AS d
     )
     SELECT to_char(days.day, 'YYYY-MM-DD') AS day,
            COALESCE(SUM(c.count) FILTER (WHERE c.kind = 'sign_in'), 0)::bigint AS sign_ins,
            COALESCE(SUM(c.count) FILTER (WHERE c.kind = ANY($3::text[])), 0)::bigint AS failures
     FROM days LEFT JOIN "SignInCount" c
       ON c.dimension = 'total' AND c.hour >= days.day AND c.hour < days.day + 1
     GROUP BY days.day ORDER BY days.day`,
    [from.toISOString(), to.toISOString(), FAILURE_KINDS],
  );
  return rows.map((row) => ({
    day: row.day,
    signIns: Number(row.sign_ins),
    failures: Number(row.failures),
  }));
}

/** Deletes the hourly rows before `before` (they are kept 31 days); returns how many. */
export async function pruneSignInCounts(before: Date): Promise<number> {
  const { rowCount } = await dbPool().query(`DELETE FROM "SignInCount" WHERE hour < ${HOUR_PARAM(1)}`, [
    before.toISOString(),
  ]);
  return rowCount ?? 0;
}
