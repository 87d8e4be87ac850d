import { errors as joseErrors, jwtVerify } from "jose";
import { z } from "zod";

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
import { countVerification } from "../observability/metrics.ts";
import type { Permission } from "../policy/permissions.ts";
import { accessTokenHeader } from "./jose-header.ts";
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
  /** RFC 9449 §6.1: the thumbprint of the key the token is bound to (`cnf.jkt`), if it is. */
  jkt: string | undefined;
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

/**
 * The claims we rely on, as we issue them (lib/oauth/client-credentials.ts). Only a token our key
 * signed gets here, but its claims are read as data all the same: never String() of an object.
 */
const claimsSchema = z.object({
  jti: z.string().min(1).max(64),
  client_id: z.string().min(1).max(64),
  sub: z.string().min(1).max(64),
  iss: z.string().max(2048),
  scope: z.string().max(4096).optional(),
  aud: z.union([z.string().max(2048), z.array(z.string().max(2048)).max(10)]).optional(),
  iat: z.number().int().nonnegative(),
  exp: z.number().int().nonnegative(),
  cnf: z.object({ jkt: z.string().min(1).max(128) }).optional(),
});

async function load(token: string): Promise<Loaded<VerifiedToken>> {
  // Every header member checked before the one lookup it leads to (the key for its kid).
  const header = accessTokenHeader(token);
  const key = header ? await verificationKey(header.kid) : null;
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
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) return null;
  const jti = claims.data.jti;
  const clientId = claims.data.client_id;
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
      scope: claims.data.scope ?? "",
      aud: Array.isArray(claims.data.aud) ? claims.data.aud : claims.data.aud ? [claims.data.aud] : [],
      iss: claims.data.iss,
      sub: claims.data.sub,
      iat: claims.data.iat,
      exp: claims.data.exp,
      jkt: claims.data.cnf?.jkt,
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
  const state = await accessTokenState(token, options);
  countVerification("access_token", state?.usable === true);
  return state;
}

async function accessTokenState(
  token: string,
  options: { audience?: string; nowSeconds?: number },
): Promise<AccessTokenState | null> {
  if (token.length > 4096 || !JWT_SHAPE.test(token)) return null;
  ensureChangeFeed();
  const verified = await cachedCredential(`jwt:${sha256Hex(token)}`, () => load(token));
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (!verified || verified.exp <= now) return null;
  if (options.audience && !verified.aud.includes(options.audience)) return null;
  const { client, revoked, ...claims } = verified;
  const state = client ? await clientState(client) : null;
  // A token issued before the client changed hands was obtained for its previous owner: it must
  // not act for the new one (iat has whole seconds, so one issued in the same second is refused too).
  const issuedBeforeHandOver = client?.tokensNotBefore != null && claims.iat * 1000 <= client.tokensNotBefore;
  return {
    ...claims,
    clientName: client?.clientName ?? "",
    ownerId: client?.ownerId ?? null,
    usable: Boolean(state && !state.disabled && state.ownerActive && !revoked && !issuedBeforeHandOver),
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
