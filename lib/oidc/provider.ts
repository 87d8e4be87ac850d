import Provider, {
  interactionPolicy,
  type Configuration,
  type JWK,
  type KoaContextWithOIDC,
} from "oidc-provider";

import { userMaySignInTo } from "../apps/sign-in-policy.ts";
import { signOutSession } from "../auth/sign-out.ts";
import { noteGrantUse } from "../credentials/last-used.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { CLEAN_TEXT_MESSAGE, isCleanText } from "../http/no-nul.ts";
import { requestContext } from "../http/request-context.ts";
import { verifyAppSecret } from "../apps/verify-app-secret.ts";
import { db } from "../db/client.ts";
import { DPOP_ALGS } from "../dpop/proof.ts";
import { firstUseOfProof } from "../dpop/replay.ts";
import { ACR_VALUES, satisfiesAcr } from "./acr.ts";
import { bindProviderSession, OidcAdapter } from "./adapter.ts";
import { auditAppEvent } from "./app-audit.ts";
import { delegatedResourceServer } from "./delegated-access.ts";
import { mergedDiscovery } from "./discovery.ts";
import { logoutSource, postLogoutSuccessSource, renderError } from "./pages.ts";
import { loadExistingGrant } from "./remembered-consent.ts";

/**
 * The OpenID provider (ADR 0012), built from Keyward's configuration: code flow with PKCE only, no
 * implicit, hybrid, device or pushed requests, the provider's own introspection and
 * revocation off (Keyward's endpoints cover every token), clients from the applications table and
 * their secrets checked by Keyward. Built once per instance and rebuilt on a key change (cheap:
 * about 2 ms); not yet mounted in scripts/server.js: this is its configuration and the tests that
 * drive it. The provider's endpoints live under /oidc/*, its token endpoint is Keyward's.
 */
export type ProviderOptions = {
  issuer: string;
  /** Private JWKs (RS256 first: ID tokens default to it, as OpenID Discovery requires; ES256 too). */
  keys: JWK[];
  /** Keygrip keys signing the provider's cookies, newest first; the same on every instance. */
  cookieKeys: string[];
  /** RFC 9449 §8 nonces, the same secret Keyward's own token code uses (lib/dpop/nonce.ts). */
  dpopNonceSecret: Buffer;
  /** Keyward's RFC 8414 metadata (lib/oauth/metadata.ts), merged into the provider's discovery. */
  metadata: () => Record<string, unknown>;
  /**
   * Back-channel logout may reach apps on private or loopback addresses (KEYWARD_BACKCHANNEL_PRIVATE):
   * the library refuses them by default against SSRF; an organization's internal apps need them.
   */
  backchannelToPrivateNetworks?: boolean;
};

export const OIDC_ROUTES = {
  authorization: "/oidc/auth",
  userinfo: "/oidc/me",
  end_session: "/oidc/session/end",
  token: "/api/oauth/token",
  jwks: "/.well-known/jwks.json",
} as const;

/**
 * The claims an account gives, by scope. `email_verified` is true only for an address proven by a
 * link mailed to it (User.emailVerifiedAt, cleared when the email changes).
 */
async function findAccount(ctx: KoaContextWithOIDC, sub: string) {
  const user = await db.user.findUnique({
    where: { id: sub },
    select: { id: true, email: true, name: true, status: true, emailVerifiedAt: true },
  });
  // A disabled or deleted user has no account: the provider answers invalid_grant at the next refresh.
  if (!user || user.status !== "active") return undefined;
  // Nor has one who lost the role an app admits by: its next refresh fails too.
  const clientId = ctx.oidc?.client?.clientId;
  if (clientId && !(await userMaySignInTo(clientId, user.id))) return undefined;
  return {
    accountId: user.id,
    claims: async () => ({
      sub: user.id,
      email: user.email,
      email_verified: user.emailVerifiedAt !== null,
      name: user.name,
    }),
  };
}

const DAY = 86_400;

/** What Keyward signs with: RS256 (ID tokens by default, as OpenID Discovery requires) and ES256. */
const SIGNING = ["RS256", "ES256"] as const;

/** Per-app refresh lifetimes: idle, capped by what is left of the absolute one (rotation keeps `iiat`). */
function refreshTokenTtl(
  _ctx: KoaContextWithOIDC,
  token: { iiat?: number; iat?: number },
  client: { metadata(): Record<string, unknown> },
): number {
  const metadata = client.metadata();
  const idle = Number(metadata.keyward_refresh_idle_seconds ?? 14 * DAY);
  const absolute = Number(metadata.keyward_refresh_absolute_seconds ?? 30 * DAY);
  const started = token.iiat ?? token.iat ?? Math.floor(Date.now() / 1000);
  const left = absolute - (Math.floor(Date.now() / 1000) - started);
  return Math.max(1, Math.min(idle, left));
}

/**
 * The library's prompts, with one more reason to ask for a sign-in: `acr_values` asking for more
 * than the session's sign-in gave (the library records acr_values as voluntary and would not).
 * Under `prompt=none` it is `login_required`.
 */
function prompts() {
  const policy = interactionPolicy.base();
  policy.get("login")?.checks.add(
    new interactionPolicy.Check("keyward_acr", "a stronger sign-in is required", "login_required", (ctx) => {
      const requested = ctx.oidc.params?.acr_values;
      return !satisfiesAcr(ctx.oidc.session?.acr, typeof requested === "string" ? requested : undefined);
    }),
  );
  // Someone signed in to Keyward (and so to the provider) who may not use this app meets
  // Keyward's page saying so, even when single sign-on would otherwise pass them straight through.
  policy.get("login")?.checks.add(
    new interactionPolicy.Check(
      "keyward_app_access",
      "the app admits holders of chosen roles",
      "access_denied",
      async (ctx) => {
        const accountId = ctx.oidc.session?.accountId;
        const clientId = ctx.oidc.client?.clientId;
        return Boolean(accountId && clientId && !(await userMaySignInTo(clientId, accountId)));
      },
    ),
  );
  return policy;
}

type SignInFacts = { acr?: string; amr?: string[]; authTime?: number };

/**
 * How the user signed in, on every delegated access token (issue 15 §3: `acr`, `amr`, `auth_time`,
 * so an API can ask for more, RFC 9470), from the code or refresh token it was exchanged for.
 */
async function extraTokenClaims(
  ctx: KoaContextWithOIDC,
  token: { kind: string; resourceServer?: unknown; grantId?: string },
) {
  if (token.kind !== "AccessToken" || !token.resourceServer) return undefined;
  const entities = ctx.oidc.entities as Record<string, SignInFacts | undefined>;
  const source = entities.AuthorizationCode ?? entities.RefreshToken;
  return {
    ...(source ? { acr: source.acr, amr: source.amr, auth_time: source.authTime } : {}),
    // The grant's stored key (its id's SHA-256, never the id): introspection checks it still
    // stands, so a revoked consent shows at once (lib/oidc/introspect-delegated.ts).
    ...(token.grantId ? { kw_grant: sha256Hex(token.grantId) } : {}),
  };
}

/**
 * Refresh tokens (issue 15 §2): a first-party app that may have them gets them; a third-party one
 * only with `offline_access`, which the library keeps only under `prompt=consent`.
 */
async function issueRefreshToken(
  _ctx: KoaContextWithOIDC,
  client: { grantTypeAllowed(type: string): boolean; metadata(): Record<string, unknown> },
  code: { scopes: Set<string> },
): Promise<boolean> {
  if (!client.grantTypeAllowed("refresh_token")) return false;
  return client.metadata().keyward_first_party === true || code.scopes.has("offline_access");
}

type Reuse = { model: string; clientId?: string | null; accountId?: string | null };

/**
 * What the audit log records of a provider request (issue 15 §6): a sign-in to an app whenever a
 * code is issued (single sign-on included), and a reused code or refresh token.
 */
async function auditOutcome(ctx: KoaContextWithOIDC): Promise<void> {
  const context = requestContext({ get: (name) => ctx.get(name) || null });
  const reuse = ctx.state.keywardReuse as Reuse | undefined;
  if (reuse?.clientId) {
    await auditAppEvent("oauth.grant_reuse_detected", {
      appId: reuse.clientId,
      ...(reuse.accountId ? { userId: reuse.accountId } : {}),
      context,
      outcome: "failure",
      details: {
        artifact: reuse.model === "RefreshToken" ? "refresh_token" : "authorization_code",
        grantRevoked: true,
      },
    });
  }
  const code = (
    ctx.oidc?.entities as
      | { AuthorizationCode?: { accountId?: string; clientId?: string; acr?: string; amr?: string[] } }
      | undefined
  )?.AuthorizationCode;
  if (
    (ctx.oidc?.route === "authorization" || ctx.oidc?.route === "resume") &&
    code?.accountId &&
    code.clientId
  ) {
    await auditAppEvent("app.sign_in", {
      appId: code.clientId,
      userId: code.accountId,
      context,
      details: { acr: code.acr, amr: code.amr },
    });
  }
}

/**
 * The app used its grant (Connected apps: "when it last did"): a code issued for it (a sign-in,
 * single sign-on included), a code or refresh exchange, or a UserInfo call. A batched hint.
 */
function noteUse(ctx: KoaContextWithOIDC): void {
  const entities = ctx.oidc?.entities as
    { Grant?: { jti?: string }; AuthorizationCode?: unknown } | undefined;
  const grantId = entities?.Grant?.jti;
  if (!grantId) return;
  const route = ctx.oidc?.route;
  // A refused exchange holds the code it refused too: only a 200 there is a use.
  const exchanged = (route === "token" || route === "userinfo") && ctx.status === 200;
  const issued = (route === "authorization" || route === "resume") && entities.AuthorizationCode;
  if (exchanged || issued) noteGrantUse(sha256Hex(grantId));
}

/** The Keyward session the browser's provider session is bound to, from its signed cookie. */
async function boundSession(ctx: { cookies: KoaContextWithOIDC["cookies"] }): Promise<string | null> {
  const id = ctx.cookies.get(SESSION_COOKIE, { signed: true });
  if (!id) return null;
  const row = await db.oidcPayload.findUnique({
    where: { model_idHash: { model: "Session", idHash: sha256Hex(id) } },
    select: { sessionId: true },
  });
  return row?.sessionId ?? null;
}

const SESSION_COOKIE = "kw_oidc";

export function buildProvider(options: ProviderOptions): Provider {
  const configuration: Configuration = {
    adapter: OidcAdapter,
    jwks: { keys: options.keys },
    cookies: {
      keys: options.cookieKeys,
      names: { session: SESSION_COOKIE, interaction: "kw_oidc_i", resume: "kw_oidc_r" },
    },
    responseTypes: ["code"],
    pkce: { required: () => true },
    clientAuthMethods: ["client_secret_basic", "client_secret_post", "none"],
    // Asymmetric algorithms only: an HS algorithm would make a client's stored hash an HMAC key.
    enabledJWA: {
      idTokenSigningAlgValues: [...SIGNING],
      userinfoSigningAlgValues: [...SIGNING],
      requestObjectSigningAlgValues: [...SIGNING],
      clientAuthSigningAlgValues: [...SIGNING],
      authorizationSigningAlgValues: [...SIGNING],
      introspectionSigningAlgValues: [...SIGNING],
      // The algorithms Keyward's own DPoP checks take (lib/dpop/proof.ts): one list for the one server.
      dPoPSigningAlgValues: [...DPOP_ALGS],
    },
    allowOmittingSingleRegisteredRedirectUri: false,
    scopes: ["openid", "offline_access", "email", "profile"],
    claims: {
      openid: ["sub", "acr", "amr", "auth_time"],
      email: ["email", "email_verified"],
      profile: ["name"],
    },
    extraClientMetadata: {
      properties: ["keyward_refresh_idle_seconds", "keyward_refresh_absolute_seconds", "keyward_first_party"],
    },
    routes: OIDC_ROUTES,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}`, policy: prompts() },
    acrValues: [...ACR_VALUES],
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: false },
      revocation: { enabled: false },
      clientCredentials: { enabled: false },
      // RFC 9449 (issue 16): a proof at code exchange or refresh binds the access token (cnf.jkt,
      // delegated JWTs included) and, for public apps, the refresh token; nonces always, as at
      // Keyward's client-credentials grant; an app registered with dpop_bound_access_tokens must.
      dPoP: {
        enabled: true,
        nonceSecret: options.dpopNonceSecret,
        requireNonce: () => true,
        allowReplay: false,
      },
      pushedAuthorizationRequests: { enabled: false },
      rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
      backchannelLogout: { enabled: true },
      userinfo: { enabled: true },
      // Delegated access tokens for Protected APIs (issue 15 §3): an app names one with `resource`
      // on the token request (code exchange or refresh). Without it the access token is the opaque
      // one for UserInfo.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => false,
        getResourceServerInfo: delegatedResourceServer,
      },
    },
    extraTokenClaims,
    findAccount,
    issueRefreshToken,
    loadExistingGrant,
    // The library hands its SSRF-checking dispatcher in the options; dropping it is the opt-in.
    fetch: (url: string | URL | Request, init?: RequestInit) => {
      if (!options.backchannelToPrivateNetworks || !init) return fetch(url, init);
      const { dispatcher: _checked, ...rest } = init as RequestInit & { dispatcher?: unknown };
      return fetch(url, rest);
    },
    renderError,
    rotateRefreshToken: true,
    ttl: {
      AccessToken: 900,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 12 * 3600,
      Grant: 365 * DAY,
      RefreshToken: refreshTokenTtl,
    },
  };
  const provider = new Provider(options.issuer, configuration);
  // Behind Keyward's own door (scripts/server.js), which sets the verified scheme and peer.
  provider.proxy = true;
  provider.use(async (ctx, next) => {
    // RP-initiated logout's "Yes, sign out of Keyward" ends the Keyward session the provider
    // session stands on (ADR 0012: it is the SSO session). Read before: the library destroys it.
    const ending =
      ctx.method === "POST" && ctx.path === "/oidc/session/end/confirm" ? await boundSession(ctx) : null;
    // form_post cannot be unregistered from the library, and its auto-submitting page is what the
    // CSP blocks: any mode but query becomes one the library does not know, refused by query.
    // NUL and ill-formed Unicode are refused wherever input enters (the library would store them
    // in the interaction, which PostgreSQL's jsonb cannot hold): a page, before any redirect URI
    // is trusted.
    const unclean = Object.values(ctx.query)
      .flat()
      .some((value) => typeof value === "string" && !isCleanText(value));
    if (unclean) {
      ctx.status = 400;
      renderError(ctx as KoaContextWithOIDC, {
        error: "invalid_request",
        error_description: CLEAN_TEXT_MESSAGE,
      });
      return;
    }
    const mode = ctx.query.response_mode;
    if (ctx.path === OIDC_ROUTES.authorization && mode !== undefined && mode !== "query") {
      ctx.query = { ...ctx.query, response_mode: "unsupported" };
    }
    await next();
    // After a sign-in at Keyward's pages, the provider session stands on that Keyward session.
    const bound = (ctx.oidc?.result as { keyward?: { sessionId?: unknown } } | undefined)?.keyward?.sessionId;
    const uid = ctx.oidc?.session?.uid;
    if (ctx.oidc?.route === "resume" && typeof bound === "string" && uid)
      await bindProviderSession(uid, bound);
    await auditOutcome(ctx as KoaContextWithOIDC);
    noteUse(ctx as KoaContextWithOIDC);
    if (ending && ctx.oidc?.params?.logout) {
      await signOutSession(ending, requestContext({ get: (name) => ctx.get(name) || null }), "app");
    }
    if (ctx.oidc?.route === "discovery" && ctx.status === 200) {
      ctx.body = mergedDiscovery(ctx.body as Record<string, unknown>, options.metadata());
    }
  });
  // A reused code or refresh token (lib/oidc/adapter.ts consume): kept for auditOutcome.
  provider.on("grant.error", (ctx, error) => {
    const reuse = (error as { keywardReuse?: unknown }).keywardReuse;
    if (reuse) ctx.state.keywardReuse = reuse;
  });
  // A proof's jti once per window, in memory or Redis as at Keyward's API (lib/dpop/replay.ts):
  // the library's own check is a read then a write of a stored row, neither atomic nor free.
  provider.ReplayDetection.unique = (clientId: string, jti: string) =>
    firstUseOfProof(`client:${clientId}`, jti);
  // The library compares `client_secret` as stored; Keyward stores hashes and compares itself.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(
    this: { clientId: string },
    presented: string,
  ) {
    return verifyAppSecret(this.clientId, presented);
  };
  return provider;
}
