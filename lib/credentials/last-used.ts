import { flushSignInCounts } from "../auth/sign-in-counts.ts";
import { dbPool } from "../db/client.ts";
import { flushPermissionUse } from "./permission-use.ts";

/**
 * Last-used is a hint, not a ledger: noted at most once a minute per credential, kept in memory,
 * and written in one batched UPDATE every few seconds, off the request path.
 */
export const LAST_USED_WRITE_MS = 60_000;
const FLUSH_MS = 5_000;

/** One sighting of a credential at one API, keyed `${credential} ${api}` while pending. */
type Use = { id: string; apiId: string; at: number };

type Pending = {
  tokens: Map<string, Use & { ip: string }>;
  clients: Map<string, Use>;
  resourceServers: Map<string, number>;
  /** An app's grant (the OidcPayload row's key, the SHA-256 of the grant's id): its last use. */
  grants: Map<string, number>;
};
type State = { noted: Map<string, number>; pending: Pending; timer?: NodeJS.Timeout };

const store = globalThis as typeof globalThis & { __keywardLastUsed?: State };

function state(): State {
  store.__keywardLastUsed ??= {
    noted: new Map(),
    pending: { tokens: new Map(), clients: new Map(), resourceServers: new Map(), grants: new Map() },
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
    flushUses().catch((error: unknown) =>
      console.error(`[credentials] could not record last use: ${String(error)}`),
    );
  }, FLUSH_MS);
  s.timer.unref();
}

/**
 * A personal token was used at an API: a request to Keyward's own (with the caller's address), or
 * an introspection by the API's resource server (no address: that is the server's, not the
 * holder's). The token's own `lastUsedAt` is the latest of its uses; `lastUsedIp` is the address
 * of the latest direct request.
 */
export function noteTokenUse(tokenId: string, apiId: string, ip = ""): void {
  const now = Date.now();
  const key = `${tokenId} ${apiId}`;
  if (!shouldNote(`token:${key}`, now)) return;
  state().pending.tokens.set(key, { id: tokenId, apiId, at: now, ip });
  schedule();
}

/** An API client got a token for an API, or one of its tokens was introspected there. */
export function noteClientUse(clientId: string, apiId: string): void {
  const now = Date.now();
  const key = `${clientId} ${apiId}`;
  if (!shouldNote(`client:${key}`, now)) return;
  state().pending.clients.set(key, { id: clientId, apiId, at: now });
  schedule();
}

/** A resource server introspected with this credential (lib/resource-servers). */
export function noteResourceServerUse(credentialId: string): void {
  const now = Date.now();
  if (!shouldNote(`rs:${credentialId}`, now)) return;
  state().pending.resourceServers.set(credentialId, now);
  schedule();
}

/**
 * An app used what a user allowed it (lib/oidc: a sign-in, a code or refresh exchange, UserInfo,
 * an introspection of its delegated tokens): Connected apps says when it last did.
 */
export function noteGrantUse(grantIdHash: string): void {
  const now = Date.now();
  if (!shouldNote(`grant:${grantIdHash}`, now)) return;
  state().pending.grants.set(grantIdHash, now);
  schedule();
}

const AT = "(to_timestamp(v.at / 1000.0) AT TIME ZONE 'UTC')";

/**
 * The per-API rows, upserted; a credential or API deleted since it was noted is skipped (the
 * EXISTS), and an older sighting never overwrites a newer one (GREATEST).
 */
const upsertUses = (table: "ApiTokenUse" | "ApiClientUse", column: "tokenId" | "clientId", owner: string) =>
  `INSERT INTO "${table}" ("${column}", "apiId", "lastUsedAt")
   SELECT v.id, v.api, ${AT} FROM unnest($1::text[], $2::text[], $3::float8[]) AS v(id, api, at)
   WHERE EXISTS (SELECT 1 FROM "${owner}" o WHERE o.id = v.id) AND EXISTS (SELECT 1 FROM "Api" a WHERE a.id = v.api)
   ON CONFLICT ("${column}", "apiId") DO UPDATE
   SET "lastUsedAt" = GREATEST("${table}"."lastUsedAt", EXCLUDED."lastUsedAt")`;

const columns = (uses: Use[]) => [uses.map((u) => u.id), uses.map((u) => u.apiId), uses.map((u) => u.at)];

/**
 * Writes every batched hint that is pending: last use here, and per-permission use
 * (./permission-use.ts) and sign-in counts (lib/auth/sign-in-counts.ts), which keep their own
 * timers. The one call tests and shutdown make, so none of the three is forgotten.
 */
export async function flushLastUsed(): Promise<void> {
  await Promise.all([flushUses(), flushPermissionUse(), flushSignInCounts()]);
}

async function flushUses(): Promise<void> {
  const { pending } = state();
  const tokens = [...pending.tokens.values()];
  const clients = [...pending.clients.values()];
  const resourceServers = [...pending.resourceServers.entries()];
  const grants = [...pending.grants.entries()];
  pending.tokens.clear();
  pending.clients.clear();
  pending.resourceServers.clear();
  pending.grants.clear();
  const pool = dbPool();
  if (tokens.length > 0) {
    await pool.query(
      `UPDATE "ApiToken" t SET "lastUsedAt" = GREATEST(t."lastUsedAt", ${AT}),
         "lastUsedIp" = COALESCE(NULLIF(v.ip, ''), t."lastUsedIp")
       FROM unnest($1::text[], $2::float8[], $3::text[]) AS v(id, at, ip) WHERE t.id = v.id`,
      [tokens.map((u) => u.id), tokens.map((u) => u.at), tokens.map((u) => u.ip)],
    );
    await pool.query(upsertUses("ApiTokenUse", "tokenId", "ApiToken"), columns(tokens));
  }
  if (clients.length > 0) {
    await pool.query(
      `UPDATE "ApiClient" c SET "lastUsedAt" = GREATEST(c."lastUsedAt", ${AT})
       FROM unnest($1::text[], $2::float8[]) AS v(id, at) WHERE c.id = v.id`,
      [clients.map((u) => u.id), clients.map((u) => u.at)],
    );
    await pool.query(upsertUses("ApiClientUse", "clientId", "ApiClient"), columns(clients));
  }
  if (resourceServers.length > 0) {
    await pool.query(
      `UPDATE "ResourceServerCredential" r SET "lastUsedAt" = ${AT}
       FROM unnest($1::text[], $2::float8[]) AS v(id, at) WHERE r.id = v.id`,
      [resourceServers.map(([id]) => id), resourceServers.map(([, at]) => at)],
    );
  }
  if (grants.length > 0) {
    await pool.query(
      `UPDATE "OidcPayload" g SET "lastUsedAt" = GREATEST(g."lastUsedAt", ${AT})
       FROM unnest($1::text[], $2::float8[]) AS v(id, at) WHERE g.model = 'Grant' AND g."idHash" = v.id`,
      [grants.map(([id]) => id), grants.map(([, at]) => at)],
    );
  }
}
