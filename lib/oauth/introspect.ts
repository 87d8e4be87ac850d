import { builtInPermissionId } from "../apis/built-in-api.ts";
import { heldAt } from "../apis/holdings.ts";
import { getConfig } from "../config/env.ts";
import { cachedCredential } from "../credentials/credential-cache.ts";
import { noteClientUse, noteTokenUse } from "../credentials/last-used.ts";
import { ownerMustEnrollMfa } from "../credentials/owner-standing.ts";
import { notePermissionUse } from "../credentials/permission-use.ts";
import { dbPool } from "../db/client.ts";
import type { ResourceServerApi } from "../resource-servers/verify-credential.ts";
import { introspectDelegated, isDelegatedToken } from "../oidc/introspect-delegated.ts";
import { personalTokenState } from "../tokens/verify-token.ts";
import { verifyAccessToken } from "./verify-access-token.ts";

export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * A credential's stored permissions at one API (name and row id: the id is what per-permission use
 * counts), ∩ its owner's holdings there now.
 */
const STORED_AT_API_SQL = {
  token: `SELECT p.id, p.name FROM "ApiTokenPermission" g JOIN "ApiPermission" p ON p.id = g."permissionId"
          WHERE g."tokenId" = $1 AND p."apiId" = $2`,
  client: `SELECT p.id, p.name FROM "ApiClientPermission" g JOIN "ApiPermission" p ON p.id = g."permissionId"
           WHERE g."clientId" = $1 AND p."apiId" = $2`,
} as const;

type Usable = { id: string; name: string };

/**
 * What a token or client may use at another API now: its stored permissions there ∩ what its
 * owner holds there (lib/apis/holdings.ts). Cached per (credential, API), forgotten when the
 * credential changes (`token:`/`client:`), its owner does (`user:`), any role does (`*`, as role
 * edits signal) or the registry does (`apis`): each shows at the next introspection.
 */
async function usableAtApi(
  kind: "token" | "client",
  credentialId: string,
  ownerId: string,
  apiId: string,
): Promise<Usable[]> {
  const usable = await cachedCredential(`rsi:${kind}:${credentialId}:${apiId}`, async () => {
    const [stored, held] = await Promise.all([
      dbPool().query<Usable>(STORED_AT_API_SQL[kind], [credentialId, apiId]),
      heldAt(ownerId, apiId),
    ]);
    const holds = new Set(held);
    const value = stored.rows
      .filter((row) => holds.has(row.name))
      .map((row) => ({ id: row.id, name: row.name }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { value, tags: [`${kind}:${credentialId}`, `user:${ownerId}`, "apis"] };
  });
  return usable ?? [];
}

/**
 * RFC 7662 §2.2, answered to one API's resource server (its credential authenticated the request):
 * active means usable at THAT API right now — the API active; not expired, not revoked; its client
 * or owner still active; its owner not held back by a required second factor they have yet to
 * enroll; and at least one of that API's permissions left. `scope` lists that API's permissions
 * only (never another API's), `aud` is the API. Any other case answers only `{"active": false}`,
 * whatever the reason. No personal data beyond `sub`.
 */
export async function introspect(token: string, api: ResourceServerApi): Promise<IntrospectionResponse> {
  if (api.disabled) return INACTIVE;
  if (token.startsWith("kw_pat_")) {
    // A personal token is never bound to a key: an API taking only bound tokens does not take it.
    if (!api.allowPersonalTokens || api.requireDpop) return INACTIVE;
    const state = await personalTokenState(token);
    if (!state || (await ownerMustEnrollMfa(state.userId))) return INACTIVE;
    // Keyward's own permissions come narrowed already; another API's are read per API.
    const usable = api.builtIn ? null : await usableAtApi("token", state.tokenId, state.userId, api.id);
    const scope: string[] = usable ? usable.map((permission) => permission.name) : state.permissions;
    if (scope.length === 0) return INACTIVE;
    // The API's introspection is the use of a personal token Keyward sees there (the inventory),
    // and of every permission it reports (least privilege).
    noteTokenUse(state.tokenId, api.id);
    notePermissionUse(
      "token",
      state.tokenId,
      usable ? usable.map((permission) => permission.id) : state.permissions.map(builtInPermissionId),
    );
    return {
      active: true,
      token_type: "Bearer",
      scope: scope.join(" "),
      sub: state.userId,
      // No `username`: an API that introspects learns who by `sub`, never the owner's email.
      aud: api.identifier,
      iss: getConfig().issuer,
      iat: Math.floor(state.createdAt / 1000),
      ...(state.expiresAt !== null ? { exp: Math.floor(state.expiresAt / 1000) } : {}),
    };
  }
  // An app's token for its user (issue 15): Keyward's admin API never issues to apps.
  if (isDelegatedToken(token)) return api.builtIn ? INACTIVE : introspectDelegated(token, api);
  // One audience per access token: one issued for another API is not this API's to learn about.
  const state = await verifyAccessToken(token, { audience: api.identifier });
  if (!state?.usable || !state.ownerId || (await ownerMustEnrollMfa(state.ownerId))) return INACTIVE;
  if (api.requireDpop && !state.jkt) return INACTIVE;
  let scope: string[] = state.permissions;
  let permissionIds: string[] | null = null;
  if (!api.builtIn) {
    const allowed = new Map(
      (await usableAtApi("client", state.clientId, state.ownerId, api.id)).map((p) => [p.name, p.id]),
    );
    const granted = [...new Set(state.scope.split(" "))].flatMap((name) => {
      const id = allowed.get(name);
      return id === undefined ? [] : [{ name, id }];
    });
    scope = granted.map((permission) => permission.name);
    permissionIds = granted.map((permission) => permission.id);
  }
  if (scope.length === 0) return INACTIVE;
  noteClientUse(state.clientId, api.id);
  notePermissionUse("client", state.clientId, permissionIds ?? state.permissions.map(builtInPermissionId));
  return {
    active: true,
    // RFC 9449 §6.2: a bound token says so, with its key's thumbprint, for the API to check the proof.
    token_type: state.jkt ? "DPoP" : "Bearer",
    scope: scope.join(" "),
    client_id: state.clientId,
    sub: state.sub,
    aud: api.identifier,
    iss: state.iss,
    iat: state.iat,
    exp: state.exp,
    jti: state.jti,
    ...(state.jkt ? { cnf: { jkt: state.jkt } } : {}),
  };
}
