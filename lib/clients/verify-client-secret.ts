import { ensureChangeFeed } from "../credentials/change-feed.ts";
import { cachedCredential, type CredentialTag, type Loaded } from "../credentials/credential-cache.ts";
import { narrow } from "../credentials/owner.ts";
import { builtInScopesSql, EPOCH_MS } from "../credentials/owner-permissions-sql.ts";
import { ownerState } from "../credentials/owner-state.ts";
import { constantTimeEqual, sha256Hex } from "../crypto/hash.ts";
import { isWellFormedToken } from "../crypto/secret-token.ts";
import { dbPool } from "../db/client.ts";
import { toPermissions, type Permission } from "../policy/permissions.ts";

/** A client as token issuance and verification see it (cached; see lib/credentials). */
export type ClientState = ClientRecord & {
  ownerActive: boolean;
  /** allowedScopes ∩ the owner's current permissions (empty without an active owner). */
  effectiveScopes: Permission[];
};

/** A client's own row as the cache keeps it; the owner is cached on its own (ownerState). */
export type ClientRecord = {
  clientId: string;
  clientName: string;
  disabled: boolean;
  ownerId: string | null;
  allowedScopes: Permission[];
  /** Epoch ms: access tokens issued before it are refused (set when the client changes hands). */
  tokensNotBefore: number | null;
  /** RFC 9449: its token requests must carry a DPoP proof. */
  requireDpop: boolean;
};

/** The columns of a client (`c`) a ClientRecord is made of. */
export const CLIENT_RECORD_COLUMNS = `c.id AS client_id, c.name AS client_name,
  ${EPOCH_MS('c."disabledAt"')} AS disabled_at, ${builtInScopesSql("ApiClientPermission", "clientId", "c.id")} AS allowed_scopes, c."ownerId" AS owner_id,
  ${EPOCH_MS('c."tokensNotBefore"')} AS tokens_not_before, c."requireDpop" AS require_dpop`;

export type ClientRecordRow = {
  client_id: string;
  client_name: string;
  disabled_at: number | null;
  allowed_scopes: string[];
  owner_id: string | null;
  tokens_not_before: number | null;
  require_dpop: boolean;
};

export function toClientRecord(row: ClientRecordRow): ClientRecord {
  return {
    clientId: row.client_id,
    clientName: row.client_name,
    disabled: row.disabled_at !== null,
    ownerId: row.owner_id,
    allowedScopes: toPermissions(row.allowed_scopes),
    tokensNotBefore: row.tokens_not_before,
    requireDpop: row.require_dpop,
  };
}

/** A client with its owner's current standing: what it may be granted now. */
export async function clientState(record: ClientRecord): Promise<ClientState> {
  const owner = record.ownerId ? await ownerState(record.ownerId) : null;
  const ownerActive = Boolean(owner?.active);
  return {
    ...record,
    ownerActive,
    effectiveScopes: owner && ownerActive ? narrow(record.allowedScopes, owner.permissions) : [],
  };
}

export function clientTags(record: ClientRecord): CredentialTag[] {
  return record.ownerId
    ? [`client:${record.clientId}`, `user:${record.ownerId}`]
    : [`client:${record.clientId}`];
}

const LOAD_SQL = `
  SELECT cs.hash, ${EPOCH_MS('cs."expiresAt"')} AS secret_expires, ${CLIENT_RECORD_COLUMNS}
  FROM "ApiClientSecret" cs JOIN "ApiClient" c ON c.id = cs."clientId"
  WHERE cs.hash = $1`;

/** One round trip on two primary keys: the secret and its client. */
async function load(hash: string): Promise<Loaded<ClientRecord & { secretExpiresAt: number | null }>> {
  const { rows } = await dbPool().query<ClientRecordRow & { hash: string; secret_expires: number | null }>(
    LOAD_SQL,
    [hash],
  );
  const row = rows[0];
  if (!row || !constantTimeEqual(row.hash, hash)) return null;
  const record = toClientRecord(row);
  return { value: { ...record, secretExpiresAt: row.secret_expires }, tags: clientTags(record) };
}

/**
 * Checks a client_id and secret: checksum first (no lookup for junk), then the hash, then that the
 * secret belongs to that very client. Null when any of it fails; the caller says "invalid_client"
 * without telling which part.
 */
export async function verifyClientSecret(clientId: string, secret: string): Promise<ClientState | null> {
  if (!isWellFormedToken("clientSecret", secret)) return null;
  ensureChangeFeed();
  const hash = sha256Hex(secret);
  const record = await cachedCredential(`cs:${hash}`, () => load(hash));
  if (!record || !constantTimeEqual(record.clientId, clientId)) return null;
  if (record.secretExpiresAt !== null && record.secretExpiresAt <= Date.now()) return null;
  return clientState(record);
}
