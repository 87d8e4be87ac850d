import { errors, type KoaContextWithOIDC, type ResourceServer } from "oidc-provider";

import { apiByIdentifier } from "../apis/audience.ts";
import { db } from "../db/client.ts";
import { getSettings } from "../settings/settings.ts";

/**
 * The permissions a user may delegate to an app at one Protected API (issue 15 §3): the app's
 * allowed ones ∩ the user's current ones through their roles, live and not deprecated. Without an
 * account (an authorization request before sign-in) the app's allowed ones: the token endpoint,
 * where the account is known, narrows them again.
 */
export async function delegablePermissions(input: {
  apiId: string;
  appId: string;
  userId: string | undefined;
}): Promise<string[]> {
  const rows = await db.apiPermission.findMany({
    where: {
      apiId: input.apiId,
      deprecatedAt: null,
      apps: { some: { appId: input.appId } },
      ...(input.userId
        ? { roles: { some: { role: { assignments: { some: { userId: input.userId } } } } } }
        : {}),
    },
    select: { name: true },
    orderBy: { name: "asc" },
  });
  return rows.map((row) => row.name);
}

type TokenSource = { accountId?: string };

/** The account a token request or an authorization request is for, when the library knows it. */
function accountOf(ctx: KoaContextWithOIDC): string | undefined {
  const entities = ctx.oidc.entities as Record<string, TokenSource | undefined>;
  return (
    entities.AuthorizationCode?.accountId ??
    entities.RefreshToken?.accountId ??
    ctx.oidc.account?.accountId ??
    ctx.oidc.session?.accountId
  );
}

/**
 * `getResourceServerInfo` (RFC 8707): a Protected API an app may ask for gets JWT access tokens
 * (RFC 9068, ES256 like Keyward's other access tokens) with the delegable scope, for the shortest
 * of the app's, the API's and the setting's lifetimes. Keyward's own admin API, a disabled or
 * unknown API, or one the app may ask nothing of is `invalid_target`.
 */
export async function delegatedResourceServer(
  ctx: KoaContextWithOIDC,
  resource: string,
  client: { clientId: string },
): Promise<ResourceServer> {
  const api = await apiByIdentifier(resource);
  if (!api || api.builtIn || api.disabled)
    throw new errors.InvalidTarget("this resource is not a Protected API this app may use");
  const app = await db.application.findUnique({
    where: { id: client.clientId },
    select: { accessTokenTtlSeconds: true },
  });
  const scope = await delegablePermissions({ apiId: api.id, appId: client.clientId, userId: accountOf(ctx) });
  const appAllowed = await delegablePermissions({ apiId: api.id, appId: client.clientId, userId: undefined });
  if (!app || appAllowed.length === 0) {
    throw new errors.InvalidTarget("this app may ask for nothing at this API");
  }
  const settings = await getSettings(db);
  return {
    scope: scope.join(" "),
    audience: api.identifier,
    accessTokenTTL: Math.min(
      app.accessTokenTtlSeconds,
      api.accessTokenTtlSeconds,
      settings.accessTokenMinutes * 60,
    ),
    accessTokenFormat: "jwt",
    jwt: { sign: { alg: "ES256" } },
  };
}
