import { decodeProtectedHeader, errors as joseErrors, jwtVerify } from "jose";

import type { ClientPrincipal } from "../auth/principal.ts";
import {
  CLIENT_RECORD_COLUMNS,
  type ClientRecord,
  type ClientRecordRow,
  clientState,
  clientTags,
  toClientRecord,
} from "../clients/verify-client-secret.ts";
import { getConfig } from "../config/env.ts";
import { ensureChangeFeed } from "../credentials/change-feed.ts";
import { cachedCredential, type Loaded } from "../credentials/credential-cache.ts";
import { narrow } from "../credentials/owner.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { dbPool } from "../db/client.ts";
import type { Permission } from "../policy/permissions.ts";
import { SIGNING_ALG, verificationKey } from "./signing-keys.ts";

/** A verified access token and the live state of its client (times in epoch seconds, as in JWTs). */
export type AccessTokenState = {
  jti: string;
  clientId: string;
  clientName: string;
  ownerId: string | null;
  /** False when revoked, its client disabled or deleted, or the client's owner not active. */
  usable: boolean;
  /** The token's scope ∩ the client's allowed scopes ∩ the owner's current permissions. */
  permissions: Permission[];
  scope: string;
  aud: string[];
  iss: string;
  sub: string;
  iat: number;
  exp: number;
};

/** What the cache keeps per access token: its verified claims, its client's row, whether revoked. */
type VerifiedToken = Omit<AccessTokenState, "clientName" | "ownerId" | "usable" | "permissions"> & {
  client: ClientRecord | null;
  revoked: boolean;
};

const STATE_SQL = `
  SELECT ${CLIENT_RECORD_COLUMNS}, EXISTS (SELECT 1 FROM "RevokedJwt" WHERE jti = $2) AS revoked
  FROM "ApiClient" c WHERE c.id = $1`;

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

async function load(token: string): Promise<Loaded<VerifiedToken>> {
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return null;
  }
  const key = kid ? await verificationKey(kid) : null;
  if (!key) return null;
  let payload;
  try {
    ({ payload } = await jwtVerify(token, key, {
      issuer: getConfig().issuer,
      typ: "at+jwt",
      algorithms: [SIGNING_ALG],
      requiredClaims: ["exp", "iat", "jti", "sub", "client_id"],
      clockTolerance: 5,
    }));
  } catch (error) {
    if (error instanceof joseErrors.JOSEError) return null;
    throw error;
  }
  const jti = String(payload.jti);
  const clientId = String(payload.client_id);
  // One round trip: the client's row and whether this token was revoked.
  const { rows } = await dbPool().query<ClientRecordRow & { revoked: boolean }>(STATE_SQL, [clientId, jti]);
  const row = rows[0];
  const client = row ? toClientRecord(row) : null;
  return {
    value: {
      jti,
      clientId,
      client,
      revoked: Boolean(row?.revoked),
      scope: typeof payload.scope === "string" ? payload.scope : "",
      aud: Array.isArray(payload.aud) ? payload.aud : payload.aud ? [payload.aud] : [],
      iss: String(payload.iss),
      sub: String(payload.sub),
      iat: Number(payload.iat),
      exp: Number(payload.exp),
    },
    tags: client ? [...clientTags(client), `jti:${jti}`] : [`client:${clientId}`, `jti:${jti}`],
  };
}

/**
 * A client access token as our verifier sees it: signature, issuer, type and expiry first (a token
 * that fails them is never looked up), then the client's live state, cached and invalidated like
 * personal tokens. `audience`: the resource asking (Keyward's API passes its own); introspection
 * passes none, as it answers for any resource server.
 */
export async function verifyAccessToken(
  token: string,
  options: { audience?: string; nowSeconds?: number } = {},
): Promise<AccessTokenState | null> {
  if (token.length > 4096 || !JWT_SHAPE.test(token)) return null;
  ensureChangeFeed();
  const verified = await cachedCredential(`jwt:${sha256Hex(token)}`, () => load(token));
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (!verified || verified.exp <= now) return null;
  if (options.audience && !verified.aud.includes(options.audience)) return null;
  const { client, revoked, ...claims } = verified;
  const state = client ? await clientState(client) : null;
  return {
    ...claims,
    clientName: client?.clientName ?? "",
    ownerId: client?.ownerId ?? null,
    usable: Boolean(state && !state.disabled && state.ownerActive && !revoked),
    permissions: state ? narrow(claims.scope.split(" "), state.effectiveScopes) : [],
  };
}

export function clientPrincipal(state: AccessTokenState): ClientPrincipal {
  return {
    kind: "client",
    clientId: state.clientId,
    clientName: state.clientName,
    ownerId: state.ownerId ?? "",
    permissions: new Set(state.permissions),
    jti: state.jti,
    expiresAt: new Date(state.exp * 1000),
  };
}
