import type { AdapterPayload } from "oidc-provider";

import { isConfidential } from "../apps/app-schemas.ts";
import { ensureChangeFeed } from "../credentials/change-feed.ts";
import { cachedCredential } from "../credentials/credential-cache.ts";
import { db } from "../db/client.ts";

/**
 * An application as the OpenID provider's client metadata (RFC 7591 names; ADR 0012, "Clients are
 * Keyward's applications"). A disabled or unknown app is no client: the authorization endpoint
 * then answers with a page, never a redirect. A web app authenticates with HTTP Basic (RFC 6749
 * §2.3.1); its `client_secret` here is the newest stored SHA-256 hash, which the provider's schema
 * requires but never compares: Keyward's compareClientSecret does, against every live hash.
 * Public apps authenticate with nothing but PKCE.
 */
export async function appClientMetadata(id: string): Promise<AdapterPayload | undefined> {
  if (!/^app_[0-9A-Za-z]{1,40}$/.test(id)) return undefined;
  // Read three times per token request by the library; every change to an app (registration,
  // secret rotation, disabling, deletion) drops it on every instance through the change feed.
  ensureChangeFeed();
  const metadata = await cachedCredential(`app-client:${id}`, async () => {
    const loaded = await loadClientMetadata(id, new Date());
    return loaded ? { value: loaded, tags: [`app:${id}` as const] } : null;
  });
  return metadata ? { ...metadata } : undefined;
}

async function loadClientMetadata(id: string, now: Date): Promise<AdapterPayload | undefined> {
  const app = await db.application.findUnique({
    where: { id },
    include: {
      secrets: {
        where: { OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
        orderBy: { createdAt: "desc" },
        select: { hash: true },
        take: 1,
      },
    },
  });
  if (!app || app.disabledAt) return undefined;
  const confidential = isConfidential(app.kind);
  const hash = app.secrets[0]?.hash;
  if (confidential && !hash) return undefined;
  return {
    client_id: app.id,
    client_name: app.name,
    application_type: app.kind === "native" ? "native" : "web",
    ...(confidential
      ? { client_secret: hash, token_endpoint_auth_method: "client_secret_basic" }
      : { token_endpoint_auth_method: "none" }),
    redirect_uris: app.redirectUris,
    post_logout_redirect_uris: app.postLogoutRedirectUris,
    ...(app.backchannelLogoutUri
      ? { backchannel_logout_uri: app.backchannelLogoutUri, backchannel_logout_session_required: true }
      : {}),
    grant_types: app.refreshTokens ? ["authorization_code", "refresh_token"] : ["authorization_code"],
    response_types: ["code"],
    ...(app.homepageUrl ? { client_uri: app.homepageUrl } : {}),
    ...(app.logoUrl ? { logo_uri: app.logoUrl } : {}),
    // Read by the provider's refresh-token lifetime (lib/oidc/provider.ts).
    keyward_refresh_idle_seconds: app.refreshTokenIdleSeconds,
    keyward_refresh_absolute_seconds: app.refreshTokenAbsoluteSeconds,
    // First-party apps skip the consent screen (app/interaction) and get refresh tokens without it.
    keyward_first_party: app.firstParty,
    // RFC 9449 §5.2: its token requests must carry a DPoP proof (the library then refuses bearer ones).
    dpop_bound_access_tokens: app.requireDpop,
  };
}
