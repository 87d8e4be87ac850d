import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { importJWK } from "jose";

import { dpopNonceSecret } from "../lib/dpop/nonce.ts";
import { providerSigningKeys } from "../lib/oauth/signing-keys.ts";
import type Provider from "oidc-provider";
import type { KoaContextWithOIDC } from "oidc-provider";
import * as client from "openid-client";

import { db } from "@/lib/db/client";
import { ACR } from "@/lib/oidc/acr";
import { buildProvider } from "@/lib/oidc/provider";
import { ensureBuiltInRoles } from "@/lib/roles/ensure-built-in-roles";
import { makeApp } from "@/test/app-factories";
import { present, signedInCookie } from "@/test/factories";

/**
 * The OpenID provider as Keyward builds it (lib/oidc/provider.ts), served in-process over real
 * HTTP for the integration tests that drive it with real relying parties (openid-client,
 * oauth4webapi) or with hand-made requests. Its keys are test RS256 and ES256 keys; its
 * interaction pages are a stand-in for Keyward's (app/interaction): a sign-in of the chosen
 * account with a real Keyward session (the provider session is bound to it, ADR 0012), then
 * consent to whatever was asked, resource scopes included. What is tested is the protocol, the
 * storage and the clients, not Keyward's pages.
 */

/** The redirect URI `webApp()` registers. */
export const REDIRECT = "https://portal.example.test/callback";

/** How the stand-in signs the account in: the `login` of the interaction result. */
export type Login = {
  acr: string;
  amr: string[];
  /** auth_time, epoch seconds; now when absent. */ ts?: number;
};

type InteractionDetails = Awaited<ReturnType<Provider["interactionDetails"]>>;

/** A step-up asked for by acr_values is played as a synced passkey sign-in; any other as a password. */
export function defaultLogin(details: InteractionDetails): Login {
  return details.prompt.reasons.includes("keyward_acr")
    ? { acr: ACR.phishingResistant, amr: ["swk", "user", "mfa"] }
    : { acr: ACR.password, amr: ["pwd"] };
}

/** One response of a navigation. */
export type Hop = { url: URL; method: string; status: number; location: URL | null };

/** Where a navigation ended: the last response, its body, and every response on the way. */
export type Navigation = {
  status: number;
  location: URL | null;
  headers: Headers;
  body: string;
  hops: Hop[];
};

export type OidcHarness = {
  issuer: string;
  provider: Provider;
  /** The public half of the ES256 key, which signs delegated access tokens. */
  accessTokenKey: CryptoKey;
  /** Interactions seen while the browser had a provider session, and any stored row holding its id. */
  sessionChecks: { seen: number; leaks: string[] };
  /** What the provider reported as its own failure (`server_error`: a 500 to the caller). */
  serverErrors: Error[];
  /** Who the stand-in signs in from now on. */
  setAccount(id: string): void;
  /** How the stand-in signs in from now on (acr, amr, auth_time); `defaultLogin` when not given. */
  setLogin(choose?: (details: InteractionDetails) => Login): void;
  /** Sign-ins the stand-in performed (a session reused by SSO performs none). */
  logins(): number;
  /** Consent prompts the stand-in answered (a remembered consent asks none). */
  consents(): number;
  /** A browser in miniature: follows redirects with its cookies until Keyward sends it elsewhere. */
  browse(start: URL, jar?: Map<string, string>): Promise<{ status: number; location: URL | null }>;
  /** The same, keeping every response: for hostile requests, a POST form as the first one included. */
  navigate(
    start: URL,
    options?: { jar?: Map<string, string>; method?: "GET" | "POST"; form?: Record<string, string> },
  ): Promise<Navigation>;
  /** openid-client's configuration for an app, authenticating with HTTP Basic and `secret`. */
  discover(app: { id: string; secret: string }, secret?: string): Promise<client.Configuration>;
  /** A confidential web app registering `REDIRECT` (and any other fields of test/app-factories). */
  webApp(fields?: Record<string, unknown>): Promise<{ id: string; secret: string }>;
  close(): Promise<void>;
};

export async function startOidcHarness(
  options: {
    /** Lets back-channel logout reach a test server on loopback. */ backchannelToPrivateNetworks?: boolean;
  } = {},
): Promise<OidcHarness> {
  // Made once here: factories racing to make them on a fresh database collide.
  await ensureBuiltInRoles(db);
  let account = "";
  let logins = 0;
  let consents = 0;
  let chooseLogin = defaultLogin;
  const sessionChecks = { seen: 0, leaks: [] as string[] };
  const serverErrors: Error[] = [];

  /** A stand-in for Keyward's interaction pages: signs `account` in, then consents to what was asked. */
  async function interaction(op: Provider, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const details = await op.interactionDetails(req, res);
    // The provider session's id is its cookie's value: no stored row may hold it (ADR 0012).
    const providerSession = /(?:^|;\s*)kw_oidc=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
    if (providerSession) {
      sessionChecks.seen++;
      const rows = JSON.stringify(await db.oidcPayload.findMany());
      if (rows.includes(providerSession)) sessionChecks.leaks.push(providerSession);
    }
    if (details.prompt.name === "login") {
      logins++;
      const login = chooseLogin(details);
      // Keyward's sign-in makes a Session row; the provider session is bound to it (ADR 0012).
      const { sessionId } = await signedInCookie(account);
      await op.interactionFinished(
        req,
        res,
        { login: { accountId: account, ...login }, keyward: { sessionId } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    consents++;
    const grant = new op.Grant({
      accountId: present(details.session?.accountId),
      clientId: String(details.params.client_id),
    });
    grant.addOIDCScope(String(details.params.scope));
    const asked = (details.prompt.details.missingResourceScopes ?? {}) as Record<string, string[]>;
    for (const [resource, scopes] of Object.entries(asked))
      grant.addResourceScope(resource, scopes.join(" "));
    const grantId = await grant.save();
    await op.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  // Listening first: the issuer is the address it gets.
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const origin = new URL(issuer).origin;
  // Keyward's own signing keys, as scripts/server.js gives them: its introspection verifies them.
  const { keys } = await providerSigningKeys();
  const es256 = keys.find((key) => key.alg === "ES256" && !key.key_ops);
  if (!es256) throw new Error("no active ES256 key");
  const { d: _private, ...publicEs256 } = es256;
  const accessTokenKey = (await importJWK(publicEs256, "ES256")) as CryptoKey;
  const op = buildProvider({
    issuer,
    keys,
    cookieKeys: [randomBytes(32).toString("base64url")],
    dpopNonceSecret: dpopNonceSecret(),
    backchannelToPrivateNetworks: options.backchannelToPrivateNetworks ?? false,
    metadata: () => ({
      introspection_endpoint: `${issuer}/api/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: ["client_secret_basic"],
      revocation_endpoint: `${issuer}/api/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: ["client_secret_basic"],
      grant_types_supported: ["client_credentials"],
      scopes_supported: ["users.read"],
    }),
  });
  // A server_error is what Koa would answer with a 500 and no headers: tests see it as a failure.
  op.on("server_error", (_ctx: KoaContextWithOIDC, error: Error) => {
    serverErrors.push(error);
    console.error("[oidc-harness] server_error:", error);
  });
  const callback = op.callback();
  server.on("request", (req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.startsWith("/interaction/")) {
      interaction(op, req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    void callback(req, res);
  });

  async function navigate(
    start: URL,
    options: { jar?: Map<string, string>; method?: "GET" | "POST"; form?: Record<string, string> } = {},
  ): Promise<Navigation> {
    const jar = options.jar ?? new Map<string, string>();
    const hops: Hop[] = [];
    let url = start;
    let method = options.method ?? "GET";
    let form = options.form;
    for (let hop = 0; hop < 20; hop++) {
      const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
      const headers: Record<string, string> = cookie ? { cookie } : {};
      if (form) headers["content-type"] = "application/x-www-form-urlencoded";
      const response = await fetch(url, {
        method,
        redirect: "manual",
        headers,
        ...(form ? { body: new URLSearchParams(form).toString() } : {}),
      });
      for (const line of response.headers.getSetCookie()) {
        const [pair = ""] = line.split(";");
        const at = pair.indexOf("=");
        jar.set(pair.slice(0, at), pair.slice(at + 1));
      }
      const header = response.headers.get("location");
      const location = header ? new URL(header, url) : null;
      hops.push({ url, method, status: response.status, location });
      // Keyward's own redirects are followed; the first one leaving it is where the browser goes.
      if (!location || location.origin !== origin) {
        return {
          status: response.status,
          location,
          headers: response.headers,
          body: await response.text(),
          hops,
        };
      }
      await response.body?.cancel();
      url = location;
      method = "GET";
      form = undefined;
    }
    throw new Error("too many redirects");
  }

  return {
    issuer,
    provider: op,
    accessTokenKey,
    sessionChecks,
    serverErrors,
    setAccount: (id) => {
      account = id;
    },
    setLogin: (choose = defaultLogin) => {
      chooseLogin = choose;
    },
    logins: () => logins,
    consents: () => consents,
    browse: async (start, jar) => {
      const { status, location } = await navigate(start, { jar });
      return { status, location };
    },
    navigate,
    discover: (app, secret = app.secret) =>
      client.discovery(new URL(issuer), app.id, undefined, client.ClientSecretBasic(secret), {
        execute: [client.allowInsecureRequests],
      }),
    webApp: async (fields = {}) => {
      const { app } = await makeApp({ redirectUris: [REDIRECT], ...fields });
      return { id: app.id, secret: present(app.clientSecret) };
    },
    close: () =>
      new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
