import { ensureChangeFeed } from "../credentials/change-feed.ts";
import { cachedCredential, type CredentialTag, type Loaded } from "../credentials/credential-cache.ts";
import { narrow, OWNER_SELECT, toOwner } from "../credentials/owner.ts";
import { constantTimeEqual, sha256Hex } from "../crypto/hash.ts";
import { isWellFormedToken } from "../crypto/secret-token.ts";
import { db } from "../db/client.ts";
import { toPermissions, type Permission } from "../policy/permissions.ts";

/** A client as token issuance and verification see it (cached; see lib/credentials). */
export type ClientState = {
  clientId: string;
  clientName: string;
  disabled: boolean;
  ownerId: string | null;
  ownerActive: boolean;
  allowedScopes: Permission[];
  /** allowedScopes ∩ the owner's current permissions (empty without an active owner). */
  effectiveScopes: Permission[];
};

export const CLIENT_STATE_SELECT = {
  id: true,
  name: true,
  disabledAt: true,
  allowedScopes: true,
  owner: { select: OWNER_SELECT },
} as const;

export function toClientState(row: {
  id: string;
  name: string;
  disabledAt: Date | null;
  allowedScopes: string[];
  owner: Parameters<typeof toOwner>[0] | null;
}): ClientState {
  const owner = row.owner ? toOwner(row.owner) : null;
  return {
    clientId: row.id,
    clientName: row.name,
    disabled: Boolean(row.disabledAt),
    ownerId: owner?.id ?? null,
    ownerActive: Boolean(owner?.active),
    allowedScopes: toPermissions(row.allowedScopes),
    effectiveScopes: owner?.active ? narrow(row.allowedScopes, owner.permissions) : [],
  };
}

export function clientTags(state: ClientState): CredentialTag[] {
  return state.ownerId ? [`client:${state.clientId}`, `user:${state.ownerId}`] : [`client:${state.clientId}`];
}

async function load(hash: string): Promise<Loaded<ClientState & { secretExpiresAt: number | null }>> {
  const secret = await db.apiClientSecret.findUnique({
    where: { hash },
    select: { hash: true, expiresAt: true, client: { select: CLIENT_STATE_SELECT } },
  });
  if (!secret || !constantTimeEqual(secret.hash, hash)) return null;
  const state = toClientState(secret.client);
  return {
    value: { ...state, secretExpiresAt: secret.expiresAt?.getTime() ?? null },
    tags: clientTags(state),
  };
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
  const state = await cachedCredential(`cs:${hash}`, () => load(hash));
  if (!state || !constantTimeEqual(state.clientId, clientId)) return null;
  if (state.secretExpiresAt !== null && state.secretExpiresAt <= Date.now()) return null;
  return state;
}
