import type { TokenPrincipal } from "../auth/principal.ts";
import { ensureChangeFeed } from "../credentials/change-feed.ts";
import { cachedCredential, type Loaded } from "../credentials/credential-cache.ts";
import { noteTokenUse } from "../credentials/last-used.ts";
import { narrow, OWNER_SELECT, toOwner } from "../credentials/owner.ts";
import { constantTimeEqual, sha256Hex } from "../crypto/hash.ts";
import { isWellFormedToken } from "../crypto/secret-token.ts";
import { db } from "../db/client.ts";
import type { Permission } from "../policy/permissions.ts";

/** What the cache keeps per token secret: enough to decide, with times as epoch ms. */
type TokenState = {
  tokenId: string;
  tokenName: string;
  userId: string;
  email: string;
  name: string;
  usable: boolean;
  permissions: Permission[];
  createdAt: number;
  expiresAt: number | null;
  secretExpiresAt: number | null;
};

async function load(hash: string): Promise<Loaded<TokenState>> {
  const secret = await db.apiTokenSecret.findUnique({
    where: { hash },
    select: {
      hash: true,
      expiresAt: true,
      token: {
        select: {
          id: true,
          name: true,
          scopes: true,
          createdAt: true,
          expiresAt: true,
          revokedAt: true,
          user: { select: OWNER_SELECT },
        },
      },
    },
  });
  // The index found it by equality; the comparison that decides is still constant-time.
  if (!secret || !constantTimeEqual(secret.hash, hash)) return null;
  const { token } = secret;
  const owner = toOwner(token.user);
  return {
    value: {
      tokenId: token.id,
      tokenName: token.name,
      userId: owner.id,
      email: owner.email,
      name: owner.name,
      usable: owner.active && !token.revokedAt,
      permissions: narrow(token.scopes, owner.permissions),
      createdAt: token.createdAt.getTime(),
      expiresAt: token.expiresAt?.getTime() ?? null,
      secretExpiresAt: secret.expiresAt?.getTime() ?? null,
    },
    tags: [`token:${token.id}`, `user:${owner.id}`],
  };
}

/** The live state of a personal token, or null when it is malformed, unknown, revoked or expired. */
export async function personalTokenState(token: string, now = Date.now()): Promise<TokenState | null> {
  if (!isWellFormedToken("personal", token)) return null;
  ensureChangeFeed();
  const hash = sha256Hex(token);
  const state = await cachedCredential(`pat:${hash}`, () => load(hash));
  if (!state?.usable) return null;
  if (state.expiresAt !== null && state.expiresAt <= now) return null;
  if (state.secretExpiresAt !== null && state.secretExpiresAt <= now) return null;
  return state;
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
  if (!state) return null;
  noteTokenUse(state.tokenId, options.ip ?? "");
  return {
    kind: "token",
    tokenId: state.tokenId,
    tokenName: state.tokenName,
    userId: state.userId,
    email: state.email,
    name: state.name,
    permissions: new Set(state.permissions),
  };
}
