import type { TokenPrincipal } from "../auth/principal.ts";
import { ensureChangeFeed } from "../credentials/change-feed.ts";
import { cachedCredential, type Loaded } from "../credentials/credential-cache.ts";
import { BUILT_IN_API_ID } from "../apis/built-in-api.ts";
import { noteTokenUse } from "../credentials/last-used.ts";
import { narrow } from "../credentials/owner.ts";
import { builtInScopesSql, EPOCH_MS } from "../credentials/owner-permissions-sql.ts";
import { type OwnerState, ownerState } from "../credentials/owner-state.ts";
import { constantTimeEqual, sha256Hex } from "../crypto/hash.ts";
import { isWellFormedToken } from "../crypto/secret-token.ts";
import { dbPool } from "../db/client.ts";
import { countVerification } from "../observability/metrics.ts";
import type { Permission } from "../policy/permissions.ts";

/** What the cache keeps per token secret (times as epoch ms); the owner is cached on its own. */
type TokenRecord = {
  tokenId: string;
  tokenName: string;
  userId: string;
  scopes: string[];
  revoked: boolean;
  createdAt: number;
  expiresAt: number | null;
  secretExpiresAt: number | null;
};

/** A usable token with its owner, and what it may do now. */
export type PersonalTokenState = TokenRecord & { email: string; name: string; permissions: Permission[] };

type TokenRow = {
  hash: string;
  secret_expires: number | null;
  token_id: string;
  token_name: string;
  scopes: string[];
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  user_id: string;
};

/** One round trip on two primary keys (the secret and its token) and the token's scope rows. */
const LOAD_SQL = `
  SELECT s.hash, ${EPOCH_MS('s."expiresAt"')} AS secret_expires, t.id AS token_id, t.name AS token_name,
         ${builtInScopesSql("ApiTokenPermission", "tokenId", "t.id")} AS scopes, ${EPOCH_MS('t."createdAt"')} AS created_at, ${EPOCH_MS('t."expiresAt"')} AS expires_at,
         ${EPOCH_MS('t."revokedAt"')} AS revoked_at, t."userId" AS user_id
  FROM "ApiTokenSecret" s JOIN "ApiToken" t ON t.id = s."tokenId"
  WHERE s.hash = $1`;

async function load(hash: string): Promise<Loaded<TokenRecord>> {
  const { rows } = await dbPool().query<TokenRow>(LOAD_SQL, [hash]);
  const row = rows[0];
  // The index found it by equality; the comparison that decides is still constant-time.
  if (!row || !constantTimeEqual(row.hash, hash)) return null;
  return {
    value: {
      tokenId: row.token_id,
      tokenName: row.token_name,
      userId: row.user_id,
      scopes: row.scopes,
      revoked: row.revoked_at !== null,
      createdAt: row.created_at,
      expiresAt: row.expires_at,
      secretExpiresAt: row.secret_expires,
    },
    tags: [`token:${row.token_id}`, `user:${row.user_id}`],
  };
}

/** The live state of a personal token, or null when it is malformed, unknown, revoked, expired or its owner inactive. */
export async function personalTokenState(
  token: string,
  now = Date.now(),
): Promise<PersonalTokenState | null> {
  if (!isWellFormedToken("personal", token)) return null;
  ensureChangeFeed();
  const hash = sha256Hex(token);
  const record = await cachedCredential(`pat:${hash}`, () => load(hash));
  if (!record || record.revoked) return null;
  if (record.expiresAt !== null && record.expiresAt <= now) return null;
  if (record.secretExpiresAt !== null && record.secretExpiresAt <= now) return null;
  const owner = await ownerState(record.userId);
  if (!owner?.active) return null;
  return composed(record, owner).state;
}

type Composed = { owner: OwnerState; state: PersonalTokenState };

/**
 * A token with its owner, made once per (cached record, cached owner) pair: both objects are
 * replaced whenever either changes, so identity says the combination is still current. This keeps
 * the warm path to two map lookups (and the principal is made once per combination too).
 */
const combinations = new WeakMap<TokenRecord, Composed>();

function composed(record: TokenRecord, owner: OwnerState): Composed {
  const known = combinations.get(record);
  if (known?.owner === owner) return known;
  const permissions = narrow(record.scopes, owner.permissions);
  const state = { ...record, email: owner.email, name: owner.name, permissions };
  const made = { owner, state };
  combinations.set(record, made);
  return made;
}

/**
 * The hot path: checksum (no lookup for a mistyped or made-up token) → SHA-256 → cache → database
 * on a miss. Effective permissions are the token's scopes ∩ the owner's current permissions; a
 * revoked token, a disabled owner or a role change takes effect on the next request
 * (lib/credentials/credential-cache.ts). No database write per request.
 */
export async function verifyPersonalToken(
  token: string,
  options: { ip?: string; now?: number } = {},
): Promise<TokenPrincipal | null> {
  const state = await personalTokenState(token, options.now);
  countVerification("personal_token", state !== null);
  if (!state) return null;
  noteTokenUse(state.tokenId, BUILT_IN_API_ID, options.ip ?? "");
  return principalOf(state);
}

const principals = new WeakMap<PersonalTokenState, TokenPrincipal>();

function principalOf(state: PersonalTokenState): TokenPrincipal {
  let principal = principals.get(state);
  if (!principal) {
    principal = {
      kind: "token",
      tokenId: state.tokenId,
      tokenName: state.tokenName,
      userId: state.userId,
      email: state.email,
      name: state.name,
      permissions: new Set(state.permissions),
    };
    principals.set(state, principal);
  }
  return principal;
}
