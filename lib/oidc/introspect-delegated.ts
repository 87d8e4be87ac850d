import { decodeJwt, jwtVerify } from "jose";
import { z } from "zod";

import { userMaySignInTo } from "../apps/sign-in-policy.ts";
import { getConfig } from "../config/env.ts";
import { noteGrantUse } from "../credentials/last-used.ts";
import { ownerMustEnrollMfa } from "../credentials/owner-standing.ts";
import { db } from "../db/client.ts";
import { accessTokenHeader } from "../oauth/jose-header.ts";
import { SIGNING_ALG, verificationKey } from "../oauth/signing-keys.ts";
import type { ResourceServerApi } from "../resource-servers/verify-credential.ts";
import { delegablePermissions } from "./delegated-access.ts";

/** The claims a delegated access token carries (lib/oidc/provider.ts), read as data. */
const claimsSchema = z.object({
  jti: z.string().min(1).max(128),
  client_id: z.string().regex(/^app_[0-9A-Za-z]{1,40}$/),
  sub: z.string().min(1).max(64),
  scope: z.string().max(4096).optional(),
  iat: z.number().int().nonnegative(),
  exp: z.number().int().nonnegative(),
  kw_grant: z.string().regex(/^[0-9a-f]{64}$/),
  acr: z.string().max(256).optional(),
  amr: z.array(z.string().max(32)).max(16).optional(),
  auth_time: z.number().int().nonnegative().optional(),
  /** RFC 9449 §6.1: bound to the app's DPoP key. */
  cnf: z.object({ jkt: z.string().min(1).max(128) }).optional(),
});

/** Whether a JWT names an application as its client: a delegated token, not an API client's. */
export function isDelegatedToken(token: string): boolean {
  try {
    const clientId = decodeJwt(token).client_id;
    return typeof clientId === "string" && clientId.startsWith("app_");
  } catch {
    return false;
  }
}

export type DelegatedClaims = z.infer<typeof claimsSchema>;

/** A delegated token's claims once its signature, issuer, type and expiry (and audience) hold. */
export async function verifiedDelegatedClaims(
  token: string,
  audience?: string,
): Promise<DelegatedClaims | null> {
  const header = accessTokenHeader(token);
  const key = header ? await verificationKey(header.kid) : null;
  if (!key) return null;
  try {
    const { payload } = await jwtVerify(token, key, {
      issuer: getConfig().issuer,
      ...(audience ? { audience } : {}),
      typ: "at+jwt",
      algorithms: [SIGNING_ALG],
      clockTolerance: 5,
    });
    return claimsSchema.parse(payload);
  } catch {
    return null;
  }
}

/**
 * RFC 7662 for a delegated access token (issue 15 §4): active only while its signature, audience
 * (this API) and expiry hold, its grant stands (not revoked by the user, a reuse or a sign-out),
 * it is not revoked (RFC 7009, by its app), its user is active and through any required enrollment, the app still admits them, and some of
 * its scope is still theirs to delegate at this API. Read live: a change shows at once.
 */
export async function introspectDelegated(
  token: string,
  api: ResourceServerApi,
): Promise<{ active: false } | ({ active: true } & Record<string, unknown>)> {
  const inactive = { active: false } as const;
  const claims = await verifiedDelegatedClaims(token, api.identifier);
  if (!claims) return inactive;
  if (await db.revokedJwt.findUnique({ where: { jti: claims.jti }, select: { jti: true } })) return inactive;
  const [grant, user] = await Promise.all([
    db.oidcPayload.findUnique({
      where: { model_idHash: { model: "Grant", idHash: claims.kw_grant } },
      select: { expiresAt: true },
    }),
    db.user.findUnique({ where: { id: claims.sub }, select: { status: true } }),
  ]);
  if (!grant || (grant.expiresAt && grant.expiresAt.getTime() <= Date.now())) return inactive;
  if (user?.status !== "active" || (await ownerMustEnrollMfa(claims.sub))) return inactive;
  if (api.requireDpop && !claims.cnf) return inactive;
  if (!(await userMaySignInTo(claims.client_id, claims.sub))) return inactive;
  const delegable = new Set(
    await delegablePermissions({ apiId: api.id, appId: claims.client_id, userId: claims.sub }),
  );
  const scope = (claims.scope ?? "").split(" ").filter((name) => delegable.has(name));
  if (scope.length === 0) return inactive;
  noteGrantUse(claims.kw_grant);
  return {
    active: true,
    token_type: claims.cnf ? "DPoP" : "Bearer",
    scope: scope.join(" "),
    client_id: claims.client_id,
    sub: claims.sub,
    aud: api.identifier,
    iss: getConfig().issuer,
    iat: claims.iat,
    exp: claims.exp,
    jti: claims.jti,
    ...(claims.acr ? { acr: claims.acr } : {}),
    ...(claims.amr ? { amr: claims.amr } : {}),
    ...(claims.auth_time !== undefined ? { auth_time: claims.auth_time } : {}),
    ...(claims.cnf ? { cnf: claims.cnf } : {}),
  };
}
