import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import { decodeProtectedHeader, exportJWK, generateKeyPair, jwtVerify } from "jose";
import type Provider from "oidc-provider";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { db } from "@/lib/db/client";
import { makeApp } from "@/test/app-factories";
import { BUILT_IN_API_ID } from "@/lib/apis/built-in-api";
import { makeApi, makeApiRole } from "@/test/api-factories";
import { makeUser, present, signedInCookie } from "@/test/factories";

import { ACR } from "./acr.ts";
import { delegatedResourceServer } from "./delegated-access.ts";
import { buildProvider } from "./provider.ts";

/**
 * Guarantee (issue 15 §2, ADR 0012): the provider as Keyward configures it runs the authorization
 * code flow with PKCE for a registered web app, driven by openid-client (a certified relying
 * party) over real HTTP: ID token for the signed-in account, refresh rotation, and a reused refresh
 * token revokes its whole family; no PKCE, a wrong secret or an unregistered redirect URI is
 * refused by the spec. The sign-in step is played by this test's own interaction handler (the
 * Keyward pages come next), so what is tested is the protocol, the storage and the clients.
 */
let server: Server;
let provider: Provider;
let issuer: string;
let account = "";
/** Sign-ins the stand-in interaction performed (a session reused by SSO performs none). */
let logins = 0;
/** The public half of the ES256 key, which signs delegated access tokens. */
let accessTokenKey: CryptoKey;
const REDIRECT = "https://portal.example.test/callback";

/** Interactions seen while the browser had a provider session, and any stored row holding its id. */
const sessionChecks = { seen: 0, leaks: [] as string[] };

/** A stand-in for Keyward's interaction pages: signs `account` in, then consents to what was asked. */
async function interaction(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  // The provider session's id is its cookie's value: no stored row may hold it (ADR 0012).
  const sessionId = /(?:^|;\s*)kw_oidc=([^;]+)/.exec(req.headers.cookie ?? "")?.[1];
  if (sessionId) {
    sessionChecks.seen++;
    const rows = JSON.stringify(await db.oidcPayload.findMany());
    if (rows.includes(sessionId)) sessionChecks.leaks.push(sessionId);
  }
  if (details.prompt.name === "login") {
    // A step-up asked for by acr_values is played as a passkey sign-in; any other as a password.
    logins++;
    const acr = details.prompt.reasons.includes("keyward_acr") ? ACR.phishingResistant : ACR.password;
    // Keyward's sign-in makes a Session row; the provider session is bound to it (ADR 0012).
    const { sessionId } = await signedInCookie(account);
    await provider.interactionFinished(
      req,
      res,
      {
        login: { accountId: account, acr, amr: acr === ACR.password ? ["pwd"] : ["hwk", "user", "mfa"] },
        keyward: { sessionId },
      },
      { mergeWithLastSubmission: false },
    );
    return;
  }
  const grant = new provider.Grant({
    accountId: present(details.session?.accountId),
    clientId: String(details.params.client_id),
  });
  grant.addOIDCScope(String(details.params.scope));
  const asked = (details.prompt.details.missingResourceScopes ?? {}) as Record<string, string[]>;
  for (const [resource, scopes] of Object.entries(asked)) grant.addResourceScope(resource, scopes.join(" "));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
}

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url?.startsWith("/interaction/")) {
      interaction(req, res).catch((error: unknown) => {
        res.statusCode = 500;
        res.end(String(error));
      });
      return;
    }
    void provider.callback()(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const rsa = await generateKeyPair("RS256", { extractable: true });
  const ec = await generateKeyPair("ES256", { extractable: true });
  accessTokenKey = ec.publicKey;
  provider = buildProvider({
    issuer,
    keys: [
      { ...(await exportJWK(rsa.privateKey)), alg: "RS256", use: "sig", kid: "test-rs" },
      { ...(await exportJWK(ec.privateKey)), alg: "ES256", use: "sig", kid: "test-es" },
    ],
    cookieKeys: [randomBytes(32).toString("base64url")],
    metadata: () => ({
      introspection_endpoint: `${issuer}/api/oauth/introspect`,
      introspection_endpoint_auth_methods_supported: ["client_secret_basic"],
      revocation_endpoint: `${issuer}/api/oauth/revoke`,
      revocation_endpoint_auth_methods_supported: ["client_secret_basic"],
      grant_types_supported: ["client_credentials"],
      scopes_supported: ["users.read"],
    }),
  });
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

/** A browser in miniature: follows redirects with its cookies until Keyward sends it back to the app. */
async function browse(
  start: URL,
  jar = new Map<string, string>(),
): Promise<{ status: number; location: URL | null }> {
  let url = start;
  for (let hop = 0; hop < 20; hop++) {
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    const response = await fetch(url, { redirect: "manual", headers: cookie ? { cookie } : {} });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get("location");
    if (!location) return { status: response.status, location: null };
    const next = new URL(location, url);
    if (next.href.startsWith(REDIRECT)) return { status: response.status, location: next };
    url = next;
  }
  throw new Error("too many redirects");
}

async function webApp() {
  const { app } = await makeApp({ redirectUris: [REDIRECT] });
  return { id: app.id, secret: present(app.clientSecret) };
}

const discover = (app: { id: string; secret: string }, secret = app.secret) =>
  client.discovery(new URL(issuer), app.id, undefined, client.ClientSecretBasic(secret), {
    execute: [client.allowInsecureRequests],
  });

describe("the OpenID provider's code flow", () => {
  it("signs a user into a web app with PKCE, rotates refresh tokens, and revokes the family on reuse", async () => {
    const user = await makeUser();
    account = user.id;
    const app = await webApp();
    const config = await discover(app);
    expect(config.serverMetadata()).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/api/oauth/token`,
      code_challenge_methods_supported: ["S256"],
      response_types_supported: ["code"],
    });
    expect(config.serverMetadata().id_token_signing_alg_values_supported).toEqual(
      expect.arrayContaining(["RS256", "ES256"]),
    );
    // One document: Keyward's endpoints and grant beside the provider's; no form_post.
    expect(config.serverMetadata()).toMatchObject({
      introspection_endpoint: `${issuer}/api/oauth/introspect`,
      revocation_endpoint: `${issuer}/api/oauth/revoke`,
      response_modes_supported: ["query"],
    });
    expect(config.serverMetadata().grant_types_supported).toEqual(
      expect.arrayContaining(["authorization_code", "refresh_token", "client_credentials"]),
    );
    const rfc8414 = await (await fetch(`${issuer}/.well-known/oauth-authorization-server`)).json();
    expect(rfc8414).toEqual(await (await fetch(`${issuer}/.well-known/openid-configuration`)).json());

    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid email offline_access",
      prompt: "consent",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
    });
    const back = present((await browse(url)).location);
    expect(back.searchParams.get("code")).toBeTruthy();

    const tokens = await client.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: verifier,
      expectedState: state,
    });
    const claims = present(tokens.claims());
    expect(claims).toMatchObject({ sub: user.id, aud: app.id, iss: issuer });
    expect(claims.auth_time).toBeTypeOf("number");
    const refresh = present(tokens.refresh_token);

    // Rotation: a new refresh token each time; the old one presented again revokes the family.
    const next = await client.refreshTokenGrant(config, refresh);
    const rotated = present(next.refresh_token);
    expect(rotated).not.toBe(refresh);
    await expect(client.refreshTokenGrant(config, refresh)).rejects.toMatchObject({ error: "invalid_grant" });
    await expect(client.refreshTokenGrant(config, rotated)).rejects.toMatchObject({ error: "invalid_grant" });

    // Nothing stored holds a token's value.
    const stored = JSON.stringify(await db.oidcPayload.findMany({ where: { clientId: app.id } }));
    expect(stored).not.toContain(refresh);
    expect(stored).not.toContain(rotated);
  });

  it("runs the same flow for oauth4webapi, a second strict client library, with a nonce and UserInfo", async () => {
    account = (await makeUser()).id;
    const app = await webApp();
    const insecure = { [oauth.allowInsecureRequests]: true };
    const as = await oauth.processDiscoveryResponse(
      new URL(issuer),
      await oauth.discoveryRequest(new URL(issuer), insecure),
    );
    const rp: oauth.Client = { client_id: app.id };
    const verifier = oauth.generateRandomCodeVerifier();
    const nonce = oauth.generateRandomNonce();
    const url = new URL(present(as.authorization_endpoint));
    for (const [name, value] of Object.entries({
      client_id: app.id,
      redirect_uri: REDIRECT,
      response_type: "code",
      scope: "openid",
      nonce,
      code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    }))
      url.searchParams.set(name, value);
    const back = present((await browse(url)).location);
    const params = oauth.validateAuthResponse(as, rp, back, oauth.expectNoState);
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      rp,
      oauth.ClientSecretBasic(app.secret),
      params,
      REDIRECT,
      verifier,
      insecure,
    );
    const result = await oauth.processAuthorizationCodeResponse(as, rp, response, {
      expectedNonce: nonce,
      requireIdToken: true,
    });
    expect(oauth.getValidatedIdTokenClaims(result)).toMatchObject({ sub: account, nonce, aud: app.id });
    const info = await oauth.userInfoRequest(as, rp, result.access_token, insecure);
    expect(await oauth.processUserInfoResponse(as, rp, account, info)).toMatchObject({ sub: account });
  });

  it("refuses an authorization request without PKCE, and a code for a wrong client secret", async () => {
    account = (await makeUser()).id;
    const app = await webApp();
    const config = await discover(app);
    const noPkce = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid",
      state: "s",
    });
    const refused = present((await browse(noPkce)).location);
    expect(refused.searchParams.get("error")).toBe("invalid_request");
    expect(refused.searchParams.get("code")).toBeNull();
    // form_post (whose auto-submitting page the CSP blocks) is refused, by query.
    const formPost = new URL(noPkce);
    formPost.searchParams.set("response_mode", "form_post");
    const unsupported = present((await browse(formPost)).location);
    expect(unsupported.searchParams.get("error")).toBe("unsupported_response_mode");

    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state: "s",
    });
    const back = present((await browse(url)).location);
    // The stored hash is no secret: presenting it is invalid_client.
    const hash = present(await db.applicationSecret.findFirst({ where: { appId: app.id } })).hash;
    const wrong = await discover(app, hash);
    // RFC 6749 §5.2: 401 with a challenge for a client that authenticated with HTTP Basic.
    const failure = await client
      .authorizationCodeGrant(wrong, back, { pkceCodeVerifier: verifier, expectedState: "s" })
      .then(
        () => null,
        (error: unknown) => error as { status?: number; cause?: unknown },
      );
    expect(failure?.status).toBe(401);
    expect(JSON.stringify(failure?.cause)).toContain("invalid_client");
  });

  it("asks for a stronger sign-in when acr_values wants more than the session has", async () => {
    account = (await makeUser()).id;
    const app = await webApp();
    const config = await discover(app);
    expect(config.serverMetadata().acr_values_supported).toEqual(
      expect.arrayContaining([ACR.password, ACR.passwordAndCode, ACR.phishingResistant]),
    );
    // One browser throughout: the second request finds the session, weaker than acr_values asks.
    const jar = new Map<string, string>();
    const signIn = async (extra: Record<string, string>) => {
      const verifier = client.randomPKCECodeVerifier();
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: REDIRECT,
        scope: "openid",
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: "S256",
        state: "s",
        ...extra,
      });
      const back = present((await browse(url, jar)).location);
      const tokens = await client.authorizationCodeGrant(config, back, {
        pkceCodeVerifier: verifier,
        expectedState: "s",
      });
      return present(tokens.claims());
    };
    const before = logins;
    expect((await signIn({})).acr).toBe(ACR.password);
    expect(logins).toBe(before + 1);
    const stepped = await signIn({ acr_values: "phr" });
    expect(logins).toBe(before + 2);
    expect(stepped.acr).toBe(ACR.phishingResistant);
    expect(stepped.amr).toEqual(["hwk", "user", "mfa"]);
    // The step-up ran with a provider session, and no stored row (its interaction's included) held its id.
    expect(sessionChecks.seen).toBeGreaterThan(0);
    expect(sessionChecks.leaks).toEqual([]);
    // The stronger session then serves both kinds of request without another sign-in.
    expect((await signIn({ acr_values: "urn:keyward:acr:pwd-mfa" })).acr).toBe(ACR.phishingResistant);
    expect(logins).toBe(before + 2);
  });

  it("answers an unregistered redirect URI or an unknown client with a page, never a redirect", async () => {
    const app = await webApp();
    const config = await discover(app);
    const params = {
      scope: "openid",
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: "S256",
    };
    const elsewhere = client.buildAuthorizationUrl(config, { ...params, redirect_uri: `${REDIRECT}x` });
    expect(await browse(elsewhere)).toEqual({ status: 400, location: null });
    const page = await (await fetch(elsewhere, { redirect: "manual" })).text();
    expect(page).toContain("Sign-in could not continue");
    expect(page).toContain("redirect_uri");
    expect(page).not.toMatch(/<style|<script|style=/);
    const stranger = new URL(elsewhere);
    stranger.searchParams.set("client_id", "app_doesnotexist0000");
    stranger.searchParams.set("redirect_uri", REDIRECT);
    expect(await browse(stranger)).toEqual({ status: 400, location: null });
  });

  it("gives an app a JWT for a Protected API: what the app may ask ∩ what the user holds, and how they signed in", async () => {
    const orders = await makeApi({
      label: "Orders",
      permissions: ["orders.read", "orders.write", "orders.refund"],
    });
    const role = await makeApiRole([
      present(orders.permissionIds["orders.read"]),
      present(orders.permissionIds["orders.refund"]),
    ]);
    const user = await makeUser();
    await db.roleAssignment.create({ data: { userId: user.id, roleId: role.id } });
    account = user.id;
    const app = await webApp();
    await db.applicationPermission.createMany({
      data: ["orders.read", "orders.write"].map((name) => ({
        appId: app.id,
        permissionId: present(orders.permissionIds[name]),
      })),
    });
    const config = await discover(app);
    const verifier = client.randomPKCECodeVerifier();
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid offline_access orders.read orders.write orders.refund",
      resource: orders.identifier,
      prompt: "consent",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
    });
    const back = present((await browse(url)).location);
    const tokens = await client.authorizationCodeGrant(config, back, { pkceCodeVerifier: verifier });
    // The code exchange without `resource` gives the opaque UserInfo token; refresh names the API.
    const delegated = await client.refreshTokenGrant(config, present(tokens.refresh_token), {
      resource: orders.identifier,
    });
    expect(decodeProtectedHeader(delegated.access_token)).toMatchObject({ typ: "at+jwt", alg: "ES256" });
    const { payload } = await jwtVerify(delegated.access_token, accessTokenKey, {
      issuer,
      audience: orders.identifier,
      typ: "at+jwt",
    });
    expect(payload).toMatchObject({ sub: user.id, client_id: app.id, scope: "orders.read", amr: ["pwd"] });
    expect(payload.acr).toBe(ACR.password);
    expect(payload.auth_time).toBeTypeOf("number");

    // The role taken away: the next token for the API carries nothing of it.
    await db.roleAssignment.delete({ where: { userId_roleId: { userId: user.id, roleId: role.id } } });
    const after = await client.refreshTokenGrant(config, present(delegated.refresh_token), {
      resource: orders.identifier,
    });
    const { payload: narrowed } = await jwtVerify(after.access_token, accessTokenKey, {
      issuer,
      audience: orders.identifier,
    });
    expect(String(narrowed.scope ?? "")).not.toContain("orders.read");

    // Keyward's own admin API, and an API the app may ask nothing of, are not a target. (The
    // library has rotated the refresh token by the time it checks the target: the app must sign in
    // again, so the other two are asked of Keyward's resource-server function itself.)
    const builtIn = present(await db.api.findUnique({ where: { id: BUILT_IN_API_ID } })).identifier;
    await expect(
      client.refreshTokenGrant(config, present(after.refresh_token), { resource: builtIn }),
    ).rejects.toMatchObject({ error: "invalid_target" });
    const other = await makeApi({ label: "Billing", permissions: ["billing.read"] });
    const ctx = { oidc: { entities: {} } } as unknown as Parameters<typeof delegatedResourceServer>[0];
    for (const resource of [other.identifier, "https://unknown.example.test/"]) {
      await expect(delegatedResourceServer(ctx, resource, { clientId: app.id })).rejects.toMatchObject({
        error: "invalid_target",
      });
    }
    await expect(
      delegatedResourceServer(ctx, orders.identifier, { clientId: app.id }),
    ).resolves.toMatchObject({
      audience: orders.identifier,
      scope: "orders.read orders.write",
      accessTokenFormat: "jwt",
    });
  });
});
