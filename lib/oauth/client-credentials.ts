import { SignJWT } from "jose";

import type { RequestContext } from "../auth/principal.ts";
import type { ClientState } from "../clients/verify-client-secret.ts";
import { getConfig } from "../config/env.ts";
import { apiByIdentifier, type ApiAudience } from "../apis/audience.ts";
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

/**
 * RFC 8707 with one audience per token (ADR 0011): the `resource` names a registered, active API the
 * client holds permissions of; without one, the client's only API. Never an audience nobody
 * registered: a token for an unregistered URI would be accepted by any API that trusts the JWKS
 * and forgets to check `aud` narrowly.
 */
async function audience(client: ClientState, resources: string[]): Promise<ApiAudience> {
  if (resources.length > 1) {
    throw new OAuthError(
      "invalid_target",
      "One resource per token request: an access token has exactly one audience. Ask for each API in its own request.",
    );
  }
  const resource = resources[0];
  if (resource === undefined) {
    // Today a client holds permissions of Keyward's own API only; the registry supplies the rest.
    const api = await apiByIdentifier(getConfig().apiAudience);
    if (!api)
      throw new OAuthError("invalid_target", "Keyward's own API is not registered yet: restart Keyward.");
    return usable(api);
  }
  let url: URL | null = null;
  try {
    url = new URL(resource);
  } catch {
    url = null;
  }
  if (!url || resource.includes("#") || resource.length > 500 || !/^https?:$/.test(url.protocol)) {
    throw new OAuthError(
      "invalid_target",
      "The resource must be an absolute http(s) URI without a fragment.",
    );
  }
  const api = await apiByIdentifier(resource);
  if (!api) throw new OAuthError("invalid_target", "No API is registered with this resource identifier.");
  return usable(api);
}

function usable(api: ApiAudience): ApiAudience {
  if (api.disabled) throw new OAuthError("invalid_target", `The API "${api.name}" is disabled.`);
  return api;
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
  const api = await audience(client, params.resources);
  if (!api.builtIn || client.allowedScopes.length === 0) {
    throw new OAuthError("invalid_target", `This client is not allowed any permission of "${api.name}".`);
  }
  const scopes = grantedScopes(client, params.scope);
  const aud = [api.identifier];
  // The settings' access-token lifetime is the cap; an API may ask for less. Keyward's own API
  // (not editable) takes the setting.
  const cap = (await getSettings(db)).accessTokenMinutes * 60;
  const lifetimeSeconds = api.builtIn ? cap : Math.min(api.accessTokenTtlSeconds, cap);
  const key = await activeSigningKey();
  const now = Math.floor(Date.now() / 1000);
  const scope = scopes.join(" ");
  const jti = newId("jti");
  const accessToken = await new SignJWT({ client_id: client.clientId, scope })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: "at+jwt", kid: key.kid })
    .setIssuer(getConfig().issuer)
    .setSubject(client.clientId)
    .setAudience(api.identifier)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .setJti(jti)
    .sign(key.key);
  const expiresAt = new Date((now + lifetimeSeconds) * 1000);
  await auditIssuance(client, { jti, scope, aud, expiresAt }, audit.context, audit.now);
  noteClientUse(client.clientId);
  return { access_token: accessToken, token_type: "Bearer", expires_in: lifetimeSeconds, scope };
}
