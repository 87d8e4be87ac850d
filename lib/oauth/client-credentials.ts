import { SignJWT } from "jose";

import type { RequestContext } from "../auth/principal.ts";
import { clientApiGrants, definedAt, type ClientApiGrant } from "../clients/client-api-access.ts";
import type { ClientState } from "../clients/verify-client-secret.ts";
import { reasonText } from "../credentials/api-scopes.ts";
import { getConfig } from "../config/env.ts";
import { apiByIdentifier, type ApiAudience } from "../apis/audience.ts";
import { builtInPermissionId } from "../apis/built-in-api.ts";
import { noteClientUse } from "../credentials/last-used.ts";
import { notePermissionUse } from "../credentials/permission-use.ts";
import { assertOwnerMayIssueTokens } from "../credentials/owner-standing.ts";
import { newId } from "../crypto/ids.ts";
import { db } from "../db/client.ts";
import { isPermission } from "../policy/permissions.ts";
import { getSettings } from "../settings/settings.ts";
import { auditIssuance } from "./issuance-audit.ts";
import { OAuthError } from "./oauth-error.ts";
import { countTokenIssued } from "../observability/metrics.ts";
import { activeSigningKey, SIGNING_ALG } from "./signing-keys.ts";

export type TokenResponse = {
  access_token: string;
  /** RFC 9449 §5.1: "DPoP" for a token bound to the proof's key. */
  token_type: "Bearer" | "DPoP";
  expires_in: number;
  scope: string;
};

const NOT_HELD = "the client's owner no longer holds it (their roles changed)";
const NOT_ALLOWED = "this client is not allowed it";

/** RFC 6749 §3.3: space-delimited names, bounded. */
function requestedNames(requested: string): string[] {
  const names = requested.split(" ").filter(Boolean);
  if (names.length === 0 || names.length > 50 || requested.length > 2000) {
    throw new OAuthError("invalid_scope", "The scope parameter is empty or too long.");
  }
  return [...new Set(names)];
}

/** One invalid_scope naming every refused scope and the rule that refused it (issue 14: say why). */
function refuse(problems: string[], api: { id: string; name: string }, omitted: boolean): never {
  const lead = omitted
    ? `This client may be granted none of its permissions of "${api.name}" now: `
    : `Refused at "${api.name}": `;
  throw new OAuthError("invalid_scope", `${lead}${problems.join("; ")}.`.slice(0, 1000)).at(api);
}

const clip = (name: string) => name.slice(0, 50);

/** Scopes at Keyward's own API: its typed names, the client's allowed ones ∩ its owner's. */
function keywardScopes(client: ClientState, api: ApiAudience, requested: string | undefined): string[] {
  if (requested === undefined) {
    if (client.effectiveScopes.length === 0) {
      refuse(
        client.allowedScopes.map((name) => `${name}: ${NOT_HELD}`),
        api,
        true,
      );
    }
    return client.effectiveScopes;
  }
  const names = requestedNames(requested);
  const problems = names.flatMap((name) => {
    if (!isPermission(name)) return [`${clip(name)}: the API defines no such permission`];
    if (!client.allowedScopes.includes(name)) return [`${name}: ${NOT_ALLOWED}`];
    if (!client.effectiveScopes.includes(name)) return [`${name}: ${NOT_HELD}`];
    return [];
  });
  if (problems.length > 0) refuse(problems, api, false);
  return names.sort();
}

/** Why a permission the client is allowed at another API is not issued now, if it is not. */
const why = (permission: ClientApiGrant["permissions"][number]) =>
  permission.deprecated ? reasonText("deprecated", "") : permission.held ? null : NOT_HELD;

/** Scopes at another API: bare names read within it, each allowed, not deprecated and held by the owner. */
async function apiScopes(grant: ClientApiGrant, requested: string | undefined): Promise<string[]> {
  const byName = new Map(grant.permissions.map((permission) => [permission.name, permission]));
  if (requested === undefined) {
    const usable = grant.permissions.filter((permission) => why(permission) === null);
    if (usable.length === 0) {
      refuse(
        grant.permissions.map((permission) => `${permission.name}: ${why(permission) ?? ""}`),
        grant.api,
        true,
      );
    }
    return usable.map((permission) => permission.name);
  }
  const names = requestedNames(requested);
  const unknown = names.filter((name) => !byName.has(name));
  // Only a refused request asks the database which names the API defines.
  const defined = await definedAt(grant.api.id, unknown);
  const problems = names.flatMap((name) => {
    const permission = byName.get(name);
    if (!permission) {
      return [`${clip(name)}: ${defined.has(name) ? NOT_ALLOWED : "the API defines no such permission"}`];
    }
    const reason = why(permission);
    return reason ? [`${name}: ${reason}`] : [];
  });
  if (problems.length > 0) refuse(problems, grant.api, false);
  return names.sort();
}

/** The permission row ids of issued scope names: Keyward's own derive from the name, others are the grant's. */
function scopeIds(grant: ClientApiGrant | null, scopes: readonly string[]): string[] {
  if (!grant) return scopes.filter(isPermission).map(builtInPermissionId);
  const ids = new Map(grant.permissions.map((permission) => [permission.name, permission.id]));
  return scopes.flatMap((name) => {
    const id = ids.get(name);
    return id === undefined ? [] : [id];
  });
}

/** The API a token is asked for, and the client's grants there (null: Keyward's own API). */
type Target = { api: ApiAudience; grant: ClientApiGrant | null };

/**
 * RFC 8707 with one audience per token (ADR 0011): the `resource` names a registered, active API the
 * client is allowed permissions of; without one, the client's only API. Never an audience nobody
 * registered: a token for an unregistered URI would be accepted by any API that trusts the JWKS
 * and forgets to check `aud` narrowly.
 */
async function target(client: ClientState, resources: string[], grants: ClientApiGrant[]): Promise<Target> {
  if (resources.length > 1) {
    throw new OAuthError(
      "invalid_target",
      "One resource per token request: an access token has exactly one audience. Ask for each API in its own request.",
    );
  }
  const resource = resources[0];
  if (resource === undefined) {
    const keyward = client.allowedScopes.length > 0;
    const count = grants.length + (keyward ? 1 : 0);
    if (count === 0) {
      throw new OAuthError(
        "invalid_target",
        "This client is not allowed any permission of any API: its owner can allow some on its page.",
      );
    }
    if (count > 1) {
      const identifiers = [
        ...(keyward ? [getConfig().apiAudience] : []),
        ...grants.map((g) => g.api.identifier),
      ];
      throw new OAuthError(
        "invalid_target",
        `This client is allowed permissions of several APIs: name one with the resource parameter (RFC 8707), one of ${identifiers.join(", ")}.`.slice(
          0,
          1000,
        ),
      );
    }
    const only = grants[0];
    if (only) return usable({ api: { ...only.api, builtIn: false }, grant: only });
    const api = await apiByIdentifier(getConfig().apiAudience);
    if (!api)
      throw new OAuthError("invalid_target", "Keyward's own API is not registered yet: restart Keyward.");
    return usable({ api, grant: null });
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
  const grant = grants.find((candidate) => candidate.api.id === api.id) ?? null;
  const allowed = api.builtIn ? client.allowedScopes.length > 0 : grant !== null;
  usable({ api, grant });
  if (!allowed) {
    throw new OAuthError("invalid_target", `This client is not allowed any permission of "${api.name}".`).at(
      api,
    );
  }
  return { api, grant };
}

function usable(found: Target): Target {
  if (found.api.disabled) {
    throw new OAuthError("invalid_target", `The API "${found.api.name}" is disabled.`).at(found.api);
  }
  return found;
}

/**
 * The client credentials grant (RFC 6749 §4.4) for an authenticated client: a JWT access token per
 * RFC 9068, signed with the active key. Nothing is written per issuance but a throttled last-used
 * and the audit event of the first issuance per client per hour (lib/oauth/issuance-audit.ts);
 * `now` is that throttle's clock.
 */
export async function issueClientCredentialsToken(
  client: ClientState,
  params: { scope: string | undefined; resources: string[]; jkt?: string },
  audit: { context: RequestContext; now?: number },
): Promise<TokenResponse> {
  try {
    const issued = await issue(client, params, audit);
    countTokenIssued("client_credentials");
    return issued;
  } catch (error) {
    // The refusal's audit event names the client (authenticated by now) as its actor.
    if (error instanceof OAuthError) error.client ??= { id: client.clientId, name: client.clientName };
    throw error;
  }
}

async function issue(
  client: ClientState,
  params: { scope: string | undefined; resources: string[]; jkt?: string },
  audit: { context: RequestContext; now?: number },
): Promise<TokenResponse> {
  if (!client.ownerActive) {
    throw new OAuthError(
      "unauthorized_client",
      "This client's owner is no longer active: an administrator must reassign it before it can get tokens.",
    );
  }
  await assertOwnerMayIssueTokens(client.ownerId);
  const { api, grant } = await target(client, params.resources, await clientApiGrants(client));
  if (api.requireDpop && !params.jkt) {
    throw new OAuthError(
      "invalid_dpop_proof",
      `"${api.name}" accepts only DPoP-bound tokens: send a DPoP proof (RFC 9449) with the token request.`,
    ).at(api);
  }
  const scopes = grant ? await apiScopes(grant, params.scope) : keywardScopes(client, api, params.scope);
  // The settings' access-token lifetime is the cap; an API may ask for less. Keyward's own API
  // (not editable) takes the setting.
  const cap = (await getSettings(db)).accessTokenMinutes * 60;
  const lifetimeSeconds = api.builtIn ? cap : Math.min(api.accessTokenTtlSeconds, cap);
  const key = await activeSigningKey();
  const now = Math.floor(Date.now() / 1000);
  const scope = scopes.join(" ");
  const jti = newId("jti");
  // RFC 9449 §6.1: bound to the proof's key by its thumbprint.
  const confirmation = params.jkt ? { cnf: { jkt: params.jkt } } : {};
  const accessToken = await new SignJWT({ client_id: client.clientId, scope, ...confirmation })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: "at+jwt", kid: key.kid })
    .setIssuer(getConfig().issuer)
    .setSubject(client.clientId)
    .setAudience(api.identifier)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeSeconds)
    .setJti(jti)
    .sign(key.key);
  const expiresAt = new Date((now + lifetimeSeconds) * 1000);
  await auditIssuance(client, { jti, scope, api, expiresAt }, audit.context, audit.now);
  noteClientUse(client.clientId, api.id);
  // Issuance is the use Keyward sees of a client's JWT (the API verifies it alone): every
  // permission in its scope counts as used today (least privilege).
  notePermissionUse("client", client.clientId, scopeIds(grant, scopes));
  return {
    access_token: accessToken,
    token_type: params.jkt ? "DPoP" : "Bearer",
    expires_in: lifetimeSeconds,
    scope,
  };
}
