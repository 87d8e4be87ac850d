import { dbPool } from "../db/client.ts";

/**
 * Last-used is a hint, not a ledger: noted at most once a minute per credential, kept in memory,
 * and written in one batched UPDATE every few seconds, off the request path.
 */
export const LAST_USED_WRITE_MS = 60_000;
const FLUSH_MS = 5_000;

type Pending = {
  tokens: Map<string, { at: number; ip: string }>;
  clients: Map<string, number>;
  resourceServers: Map<string, number>;
};
type State = { noted: Map<string, number>; pending: Pending; timer?: NodeJS.Timeout };

const store = globalThis as typeof globalThis & { __keywardLastUsed?: State };

function state(): State {
  store.__keywardLastUsed ??= {
    noted: new Map(),
    pending: { tokens: new Map(), clients: new Map(), resourceServers: new Map() },
  };
  return store.__keywardLastUsed;
}

function shouldNote(key: string, now: number): boolean {
  const { noted } = state();
  if (now - (noted.get(key) ?? 0) < LAST_USED_WRITE_MS) return false;
  if (noted.size > 100_000) noted.clear();
  noted.set(key, now);
  return true;
}

function schedule(): void {
  const s = state();
  if (s.timer) return;
  s.timer = setTimeout(() => {
    s.timer = undefined;
    flushLastUsed().catch((error: unknown) =>
      console.error(`[credentials] could not record last use: ${String(error)}`),
    );
  }, FLUSH_MS);
  s.timer.unref();
}

export function noteTokenUse(tokenId: string, ip: string): void {
  const now = Date.now();
  if (!shouldNote(`token:${tokenId}`, now)) return;
  state().pending.tokens.set(tokenId, { at: now, ip });
  schedule();
}

export function noteClientUse(clientId: string): void {
  const now = Date.now();
  if (!shouldNote(`client:${clientId}`, now)) return;
  state().pending.clients.set(clientId, now);
  schedule();
}

/** A resource server introspected with this credential (lib/resource-servers). */
export function noteResourceServerUse(credentialId: string): void {
  const now = Date.now();
  if (!shouldNote(`rs:${credentialId}`, now)) return;
  state().pending.resourceServers.set(credentialId, now);
  schedule();
}

const AT = "(to_timestamp(v.at / 1000.0) AT TIME ZONE 'UTC')";

/** Writes what is pending (also called by tests and on shutdown). */
export async function flushLastUsed(): Promise<void> {
  const { pending } = state();
  const tokens = [...pending.tokens.entries()];
  const clients = [...pending.clients.entries()];
  pending.tokens.clear();
  pending.clients.clear();
  const resourceServers = [...pending.resourceServers.entries()];
  pending.resourceServers.clear();
  const pool = dbPool();
  if (tokens.length > 0) {
    await pool.query(
      `UPDATE "ApiToken" t SET "lastUsedAt" = ${AT}, "lastUsedIp" = NULLIF(v.ip, '')
       FROM unnest($1::text[], $2::float8[], $3::text[]) AS v(id, at, ip) WHERE t.id = v.id`,
      [tokens.map(([id]) => id), tokens.map(([, use]) => use.at), tokens.map(([, use]) => use.ip)],
    );
  }
  if (clients.length > 0) {
    await pool.query(
      `UPDATE "ApiClient" c SET "lastUsedAt" = ${AT}
       FROM unnest($1::text[], $2::float8[]) AS v(id, at) WHERE c.id = v.id`,
      [clients.map(([id]) => id), clients.map(([, at]) => at)],
    );
  }
  if (resourceServers.length > 0) {
    await pool.query(
      `UPDATE "ResourceServerCredential" r SET "lastUsedAt" = ${AT}
       FROM unnest($1::text[], $2::float8[]) AS v(id, at) WHERE r.id = v.id`,
      [resourceServers.map(([id]) => id), resourceServers.map(([, at]) => at)],
    );
  }
}
