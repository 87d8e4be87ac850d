import { SignJWT } from "jose";

import type { RequestContext } from "../auth/principal.ts";
import type { ClientState } from "../clients/verify-client-secret.ts";
import { getConfig } from "../config/env.ts";
import { noteClientUse } from "../credentials/last-used.ts";
import { assertOwnerMayIssueTokens } from "../credentials/owner-standing.ts";
import { newId } from "../crypto/ids.ts";
import { db } from "../db/client.ts";
import { isPermission, type Permission } from "../policy/permissions.ts";
import { getSettings } from "../settings/settings.ts";
import { auditIssuance } from "./issuance-audit.ts";
import { OAuthError } from "./oauth-error.ts";
import { activeSigningKey, SIGNING_ALG } from "./signing-keys.ts";

export type TokenResponse = {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  scope: string;
};

/** RFC 6749 §3.3: space-delimited, each a scope this client may be granted now. */
function grantedScopes(client: ClientState, requested: string | undefined): Permission[] {
  if (requested === undefined) return client.effectiveScopes;
  const names = requested.split(" ").filter(Boolean);
  if (names.length === 0 || names.length > 50 || requested.length > 2000) {
    throw new OAuthError("invalid_scope", "The scope parameter is empty or too long.");
  }
  const unknown = names.filter((name) => !isPermission(name));
  if (unknown.length > 0)
    throw new OAuthError("invalid_scope", `Unknown scope: ${unknown[0]?.slice(0, 50)}.`);
  const beyond = names.filter((name) => !client.effectiveScopes.includes(name as Permission));
  if (beyond.length > 0) {
    throw new OAuthError("invalid_scope", `This client may not be granted: ${beyond.join(" ")}.`);
  }
  return [...new Set(names as Permission[])].sort();
}

/** RFC 8707 §2: absolute URIs without a fragment; none means the configured default audience. */
function audiences(resources: string[]): string[] {
  if (resources.length === 0) return [getConfig().defaultAudience];
  if (resources.length > 10) throw new OAuthError("invalid_target", "At most 10 resource parameters.");
  for (const resource of resources) {
    let url: URL | null = null;
    try {
      url = new URL(resource);
    } catch {
      url = null;
    }
    if (!url || resource.includes("#") || resource.length > 500 || !/^https?:$/.test(url.protocol)) {
      throw new OAuthError(
        "invalid_target",
        "Each resource must be an absolute http(s) URI without a fragment.",
      );
    }
  }
  return [...new Set(resources)];
}

/**
 * The client credentials grant (RFC 6749 §4.4) for an authenticated client: a JWT access token per
 * RFC 9068, signed with the active key. Nothing is written per issuance but a throttled last-used
 * and the audit event of the first issuance per client per hour (lib/oauth/issuance-audit.ts);
 * `now` is that throttle's clock.
 */
export async function issueClientCredentialsToken(
  client: ClientState,
  params: { scope: string | undefined; resources: string[] },
  audit: { context: RequestContext; now?: number },
): Promise<TokenResponse> {
  if (!client.ownerActive) {
    throw new OAuthError(
      "unauthorized_client",
      "This client's owner is no longer active: an administrator must reassign it before it can get tokens.",
    );
  }
  await assertOwnerMayIssueTokens(client.ownerId);
  const scopes = grantedScopes(client, params.scope);
  const aud = audiences(params.resources);
  const lifetimeSeconds = (await getSettings(db)).accessTokenMinutes * 60;
  const key = await activeSigningKey();
  const now = Math.floor(Date.now() / 1000);
  const scope = scopes.join(" ");
  const jti = newId("jti");
  const accessToken = await new SignJWT({ client_id: client.clientId, scope })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: "at+jwt", kid: key.kid })
    .setIssuer(getConfig().issuer)
    .setSubject(client.clientId)
    .setAudience(aud.length === 1 ? (aud[0] as string) : aud)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .setJti(jti)
    .sign(key.key);
  const expiresAt = new Date((now + lifetimeSeconds) * 1000);
  await auditIssuance(client, { jti, scope, aud, expiresAt }, audit.context, audit.now);
  noteClientUse(client.clientId);
  return { access_token: accessToken, token_type: "Bearer", expires_in: lifetimeSeconds, scope };
}
