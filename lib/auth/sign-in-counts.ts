import { dbPool } from "../db/client.ts";
import { countSignInOutcome, type SignInOutcome } from "../observability/metrics.ts";

/**
 * Sign-in outcomes counted for the overview's sign-in health (issue 17): every event, unlike the
 * audit log, which drops failure events past 30 a minute per action and address and so undercounts
 * an attack. Counted in memory per hour and written in one upsert every few seconds with the other
 * batched writes (lib/credentials/last-used.ts's `flushLastUsed` flushes these too).
 */
export type SignInKind = "sign_in" | "password_failed" | "lockout" | "second_factor_failed";
export const FAILURE_KINDS: readonly SignInKind[] = ["password_failed", "second_factor_failed", "lockout"];

/** The same outcomes as Prometheus counters (lib/observability), live rather than hourly. */
const METRIC_OUTCOME = {
  sign_in: "success",
  password_failed: "failure",
  second_factor_failed: "second_factor_failed",
  lockout: "locked",
} as const satisfies Record<SignInKind, SignInOutcome>;

const FLUSH_MS = 5_000;
const HOUR_MS = 3_600_000;
/**
 * Distinct source addresses, and distinct accounts, kept apart per hour (per instance); the rest
 * of the hour is folded into OTHER. Per hour rather than per batch, so that an attacker spraying
 * random addresses or accounts grows neither memory (each batch holds at most this many) nor the
 * table (at most this many rows per dimension and hour) without limit, and a real attack's top
 * sources still stand out.
 */
export const MAX_VALUES_PER_HOUR = 1_000;
export const OTHER = "(other)";
/** Longest account value kept (the longest valid address); longer input is clipped. */
const MAX_VALUE_LENGTH = 320;
const MAX_LOCKS = 10_000;

type Dimension = "total" | "source" | "account";
type State = {
  /** Counts keyed by JSON [hour, kind, dimension, value]. */
  pending: Map<string, number>;
  /** The distinct values of each capped dimension kept apart in `seenHour`. */
  seen: { source: Set<string>; account: Set<string> };
  seenHour: number;
  /** Lock windows already counted: key → when its window ends (ms). */
  locks: Map<string, number>;
  timer?: NodeJS.Timeout;
};

const store = globalThis as typeof globalThis & { __keywardSignInCounts?: State };

function state(): State {
  store.__keywardSignInCounts ??= {
    pending: new Map(),
    seen: { source: new Set(), account: new Set() },
    seenHour: 0,
    locks: new Map(),
  };
  return store.__keywardSignInCounts;
}

function schedule(s: State): void {
  if (s.timer) return;
  s.timer = setTimeout(() => {
    s.timer = undefined;
    flushSignInCounts().catch((error: unknown) =>
      console.error(`[auth] could not record sign-in counts: ${String(error)}`),
    );
  }, FLUSH_MS);
  s.timer.unref();
}

function capped(s: State, hour: number, dimension: "source" | "account", value: string): string {
  if (s.seenHour !== hour) {
    s.seen = { source: new Set(), account: new Set() };
    s.seenHour = hour;
  }
  const seen = s.seen[dimension];
  if (seen.has(value)) return value;
  if (seen.size >= MAX_VALUES_PER_HOUR) return OTHER;
  seen.add(value);
  return value;
}

function add(s: State, hour: number, kind: SignInKind, dimension: Dimension, value: string): void {
  const key = JSON.stringify([hour, kind, dimension, value]);
  s.pending.set(key, (s.pending.get(key) ?? 0) + 1);
}

/**
 * One sign-in outcome, from `where.ip` (empty: "unknown"), for `where.account` (the address typed,
 * lower-cased; kept for failures only: a successful sign-in is not a target). No I/O.
 */
export function countSignIn(kind: SignInKind, where: { ip: string; account?: string }): void {
  countSignInOutcome(METRIC_OUTCOME[kind]);
  const s = state();
  const hour = Math.floor(Date.now() / HOUR_MS);
  add(s, hour, kind, "total", "");
  add(s, hour, kind, "source", capped(s, hour, "source", where.ip || "unknown"));
  if (kind !== "sign_in" && where.account) {
    const account = where.account.trim().toLowerCase().slice(0, MAX_VALUE_LENGTH);
    add(s, hour, kind, "account", capped(s, hour, "account", account));
  }
  schedule(s);
}

/**
 * A sign-in refused by a limiter (`lockKey`: the limiter's name and key). Counted once per lock
 * window — the first refusal, until `retryAfterSeconds` from then — not per refused attempt, so a
 * script hammering a locked account shows as one lockout. Remembered per instance: several
 * instances that each refuse the same key may each count it once.
 */
export function countLockout(
  lockKey: string,
  retryAfterSeconds: number,
  where: { ip: string; account?: string },
): void {
  const { locks } = state();
  const now = Date.now();
  if ((locks.get(lockKey) ?? 0) > now) return;
  if (locks.size >= MAX_LOCKS) {
    for (const [key, until] of locks) if (until <= now) locks.delete(key);
    // Still full of live locks (a flood of them): forget them rather than grow; at worst one is
    // counted twice.
    if (locks.size >= MAX_LOCKS) locks.clear();
  }
  locks.set(lockKey, now + retryAfterSeconds * 1000);
  countSignIn("lockout", where);
}

/**
 * Adds the pending counts to their hourly rows in one statement, in key order (two instances
 * flushing the same rows lock them in the same order). The batch is swapped out before the await;
 * a failed batch is dropped and reported, like last-used's.
 */
export async function flushSignInCounts(): Promise<void> {
  const s = state();
  if (s.pending.size === 0) return;
  const batch = s.pending;
  s.pending = new Map();
  clearTimeout(s.timer);
  s.timer = undefined;
  const hours: number[] = [];
  const kinds: string[] = [];
  const dimensions: string[] = [];
  const values: string[] = [];
  const counts: number[] = [];
  for (const [key, count] of batch) {
    const [hour, kind, dimension, value] = JSON.parse(key) as [number, SignInKind, Dimension, string];
    hours.push(hour);
    kinds.push(kind);
    dimensions.push(dimension);
    values.push(value);
    counts.push(count);
  }
  await dbPool().query(
    `INSERT INTO "SignInCount" AS c ("hour", "kind", "dimension", "value", "count")
     SELECT to_timestamp(v.hour * 3600) AT TIME ZONE 'UTC', v.kind, v.dimension, v.value, v.count
     FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::int[]) AS v(hour, kind, dimension, value, count)
     ORDER BY 1, 2, 3, 4
     ON CONFLICT ("hour", "kind", "dimension", "value") DO UPDATE SET "count" = c."count" + EXCLUDED."count"`,
    [hours, kinds, dimensions, values, counts],
  );
}

/** Forgets what is pending, the hour's kept-apart values and the lock windows (tests only). */
export function resetSignInCountsForTests(): void {
  clearTimeout(state().timer);
  store.__keywardSignInCounts = undefined;
}
