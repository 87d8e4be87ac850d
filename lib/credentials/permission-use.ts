import { dbPool } from "../db/client.ts";

/**
 * Which permissions each personal token and API client actually uses (issue 17: least privilege,
 * "narrow to what it used"). A use is counted in memory on the request path — a Map increment, no
 * I/O — and the counts are added to daily rows (ApiTokenPermissionUse, ApiClientPermissionUse) in
 * one statement per table once a minute, like last-used (lib/credentials/last-used.ts, whose
 * `flushLastUsed` also flushes these).
 */
export type PermissionUseKind = "token" | "client";

/**
 * A minute, not last-used's 5 s: a flush writes one row per key however often it was used, so a
 * longer batch shares that write among more requests (the bench: every request of a 5 s window
 * over 8,000 tokens is a key of its own). Daily counts lose nothing by waiting.
 */
export const PERMISSION_USE_FLUSH_MS = 60_000;
/** Past this many pending (credential, permission, day) keys a flush starts at once: memory stays bounded. */
export const MAX_PENDING_KEYS = 100_000;
const DAY_MS = 86_400_000;

/** Pending counts keyed `${credentialId} ${permissionId} ${utcDay}` (ids hold no spaces). */
type State = {
  pending: Record<PermissionUseKind, Map<string, number>>;
  size: number;
  timer?: NodeJS.Timeout;
};

const store = globalThis as typeof globalThis & { __keywardPermissionUse?: State };

function state(): State {
  store.__keywardPermissionUse ??= { pending: { token: new Map(), client: new Map() }, size: 0 };
  return store.__keywardPermissionUse;
}

function report(error: unknown): void {
  console.error(`[credentials] could not record permission use: ${String(error)}`);
}

function schedule(s: State): void {
  if (s.timer) return;
  s.timer = setTimeout(() => {
    s.timer = undefined;
    flushPermissionUse().catch(report);
  }, PERMISSION_USE_FLUSH_MS);
  s.timer.unref();
}

/**
 * A token or client used these permissions (row ids: `builtInPermissionId(name)` for Keyward's own,
 * the ApiPermission id for another API's) once: an authorized API request, an active
 * introspection, a token issued. Counted for today (UTC); never waits on the database.
 */
export function notePermissionUse(
  kind: PermissionUseKind,
  credentialId: string,
  permissionIds: readonly string[],
): void {
  if (permissionIds.length === 0) return;
  const s = state();
  const counts = s.pending[kind];
  const day = Math.floor(Date.now() / DAY_MS);
  for (const permissionId of permissionIds) {
    const key = `${credentialId} ${permissionId} ${day}`;
    const count = counts.get(key);
    if (count === undefined) {
      counts.set(key, 1);
      s.size++;
    } else counts.set(key, count + 1);
  }
  if (s.size >= MAX_PENDING_KEYS) {
    // Early, and not awaited: the request goes on while the batch is written.
    flushPermissionUse().catch(report);
  } else schedule(s);
}

const TABLES = {
  token: {
    table: "ApiTokenPermissionUse",
    column: "tokenId",
    owner: "ApiToken",
    grants: "ApiTokenPermission",
  },
  client: {
    table: "ApiClientPermissionUse",
    column: "clientId",
    owner: "ApiClient",
    grants: "ApiClientPermission",
  },
} as const;

/**
 * The grant's last day of use, for the overview's one-pass least-privilege list: written only when
 * the day moves on (at most once a day per grant), in key order like the upsert.
 */
const lastUsedOnSql = (kind: PermissionUseKind) => {
  const { column, grants } = TABLES[kind];
  return `UPDATE "${grants}" g SET "lastUsedOn" = v.day
    FROM (SELECT v.id, v.permission, DATE '1970-01-01' + max(v.day) AS day
          FROM unnest($1::text[], $2::text[], $3::int[]) AS v(id, permission, day)
          GROUP BY 1, 2 ORDER BY 1, 2) v
    WHERE g."${column}" = v.id AND g."permissionId" = v.permission
      AND (g."lastUsedOn" IS NULL OR g."lastUsedOn" < v.day)`;
};

/**
 * The batch as one upsert: counts add to the day's row. A credential or permission deleted since
 * its use was noted is skipped (the EXISTS), not an error. Rows go in key order, so two instances
 * flushing overlapping keys lock them in the same order and cannot deadlock.
 */
const upsertSql = (kind: PermissionUseKind) => {
  const { table, column, owner } = TABLES[kind];
  return `INSERT INTO "${table}" AS u ("${column}", "permissionId", "day", "count")
    SELECT v.id, v.permission, DATE '1970-01-01' + v.day, v.count
    FROM unnest($1::text[], $2::text[], $3::int[], $4::int[]) AS v(id, permission, day, count)
    WHERE EXISTS (SELECT 1 FROM "${owner}" o WHERE o.id = v.id)
      AND EXISTS (SELECT 1 FROM "ApiPermission" p WHERE p.id = v.permission)
    ORDER BY v.id, v.permission, v.day
    ON CONFLICT ("${column}", "permissionId", "day") DO UPDATE SET "count" = u."count" + EXCLUDED."count"`;
};

async function write(kind: PermissionUseKind, counts: Map<string, number>): Promise<void> {
  if (counts.size === 0) return;
  const ids: string[] = [];
  const permissions: string[] = [];
  const days: number[] = [];
  const values: number[] = [];
  for (const [key, count] of counts) {
    const [id = "", permission = "", day = "0"] = key.split(" ");
    ids.push(id);
    permissions.push(permission);
    days.push(Number(day));
    values.push(count);
  }
  await dbPool().query(upsertSql(kind), [ids, permissions, days, values]);
  await dbPool().query(lastUsedOnSql(kind), [ids, permissions, days]);
}

/**
 * Adds what is pending to the daily rows (the timer, tests and shutdown call it, through
 * `flushLastUsed`). The pending maps are swapped out before any await, so uses noted meanwhile go
 * to the next batch; a batch that fails is dropped and reported, as last-used's is: these are
 * hints for the overview, not a ledger.
 */
export async function flushPermissionUse(): Promise<void> {
  const s = state();
  const batch = s.pending;
  if (s.size === 0) return;
  s.pending = { token: new Map(), client: new Map() };
  s.size = 0;
  // Nothing is pending now: the next use schedules the next flush.
  clearTimeout(s.timer);
  s.timer = undefined;
  await Promise.all([write("token", batch.token), write("client", batch.client)]);
}

/** How many (credential, permission, day) keys wait for the next flush (tests, the bench). */
export function pendingPermissionUseKeys(): number {
  return state().size;
}
