import { ensureChangeFeed } from "../credentials/change-feed.ts";
import { cachedCredential, type Loaded } from "../credentials/credential-cache.ts";
import { noteResourceServerUse } from "../credentials/last-used.ts";
import { EPOCH_MS } from "../credentials/owner-permissions-sql.ts";
import { BUILT_IN_API_ID } from "../apis/built-in-api.ts";
import { constantTimeEqual, sha256Hex } from "../crypto/hash.ts";
import { isWellFormedToken } from "../crypto/secret-token.ts";
import { dbPool } from "../db/client.ts";

/** The API a resource-server credential introspects for, as introspection needs it. */
export type ResourceServerApi = {
  id: string;
  name: string;
  identifier: string;
  builtIn: boolean;
  disabled: boolean;
  allowPersonalTokens: boolean;
  /** RFC 9449: only DPoP-bound tokens are active at its introspection. */
  requireDpop: boolean;
};

/** An authenticated resource-server credential and its API (cached; see lib/credentials). */
export type ResourceServerState = {
  credentialId: string;
  clientId: string;
  name: string;
  api: ResourceServerApi;
};

type Record = ResourceServerState & { revoked: boolean; secretExpiresAt: number | null };

type Row = {
  hash: string;
  secret_expires: number | null;
  id: string;
  client_id: string;
  name: string;
  revoked: boolean;
  api_id: string;
  api_name: string;
  identifier: string;
  api_disabled: boolean;
  allow_personal_tokens: boolean;
  require_dpop: boolean;
};

/** One round trip on primary and unique keys: the secret, its credential, its API. */
const LOAD_SQL = `
  SELECT s.hash, ${EPOCH_MS('s."expiresAt"')} AS secret_expires, r.id, r."clientId" AS client_id, r.name,
         r."revokedAt" IS NOT NULL AS revoked, a.id AS api_id, a.name AS api_name, a.identifier,
         a."disabledAt" IS NOT NULL AS api_disabled, a."allowPersonalTokens" AS allow_personal_tokens,
         a."requireDpop" AS require_dpop
  FROM "ResourceServerSecret" s
  JOIN "ResourceServerCredential" r ON r.id = s."credentialId"
  JOIN "Api" a ON a.id = r."apiId"
  WHERE s.hash = $1`;

async function load(hash: string): Promise<Loaded<Record>> {
  const { rows } = await dbPool().query<Row>(LOAD_SQL, [hash]);
  const row = rows[0];
  if (!row || !constantTimeEqual(row.hash, hash)) return null;
  return {
    value: {
      credentialId: row.id,
      clientId: row.client_id,
      name: row.name,
      revoked: row.revoked,
      secretExpiresAt: row.secret_expires,
      api: {
        id: row.api_id,
        name: row.api_name,
        identifier: row.identifier,
        builtIn: row.api_id === BUILT_IN_API_ID,
        disabled: row.api_disabled,
        allowPersonalTokens: row.allow_personal_tokens,
        requireDpop: row.require_dpop,
      },
    },
    // Revocation and rotation tag the credential; any change to the registry (an API disabled,
    // its personal-token rule changed) tags "apis".
    tags: [`rs:${row.id}`, "apis"],
  };
}

/**
 * Checks a resource server's client_id and secret: checksum first (no lookup for junk, nor for an
 * ordinary client's `kw_cs_` secret), then the hash, then that the secret is this credential's,
 * constant-time. Null when any part fails, the credential is revoked or the secret's overlap is
 * over. Notes the use (throttled, batched; no write per request).
 */
export async function verifyResourceServerSecret(
  clientId: string,
  secret: string,
  now = Date.now(),
): Promise<ResourceServerState | null> {
  if (!isWellFormedToken("resourceServerSecret", secret)) return null;
  ensureChangeFeed();
  const hash = sha256Hex(secret);
  const record = await cachedCredential(`rss:${hash}`, () => load(hash));
  if (!record || !constantTimeEqual(record.clientId, clientId) || record.revoked) return null;
  if (record.secretExpiresAt !== null && record.secretExpiresAt <= now) return null;
  noteResourceServerUse(record.credentialId);
  return { credentialId: record.credentialId, clientId: record.clientId, name: record.name, api: record.api };
}
