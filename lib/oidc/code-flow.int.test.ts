import { once } from "node:events";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

import {
  calculateJwkThumbprint,
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  jwtVerify,
} from "jose";
import * as oauth from "oauth4webapi";
import * as client from "openid-client";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";

import { resetConfigForTests } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { BUILT_IN_API_ID } from "@/lib/apis/built-in-api";
import { makeApi, makeApiRole } from "@/test/api-factories";
import { makeApp } from "@/test/app-factories";
import { credentialsChanged } from "@/lib/credentials/change-feed";
import { flushLastUsed } from "@/lib/credentials/last-used";
import { makePrincipal, makeUser, present, signedInCookie, TEST_CONTEXT } from "@/test/factories";
import { endUserSessions } from "@/lib/auth/manage-sessions";
import { resolveSession } from "@/lib/auth/sessions";
import { REDIRECT, startOidcHarness, type OidcHarness } from "@/test/oidc-harness";

import { DPOP_ALGS } from "@/lib/dpop/proof";

import { ACR } from "./acr.ts";
import { POST as revokeRoute } from "@/app/api/oauth/revoke/route";
import { introspect } from "@/lib/oauth/introspect";

import { revokeGrant } from "./adapter.ts";
import { listConnectedApps, revokeConnectedApp } from "./connected-apps.ts";

import { delegatedResourceServer } from "./delegated-access.ts";

/**
 * Guarantee (issue 15 §2, ADR 0012): the provider as Keyward configures it runs the authorization
 * code flow with PKCE for a registered web app, driven by openid-client (a certified relying
 * party) over real HTTP: ID token for the signed-in account, refresh rotation, and a reused refresh
 * token revokes its whole family; no PKCE, a wrong secret or an unregistered redirect URI is
 * refused by the spec. The sign-in step is played by the stand-in interaction of test/oidc-harness.ts
 * (Keyward's pages are tested on their own), so what is tested is the protocol, the storage and the
 * clients. Hostile requests are lib/oidc/hostile-requests.int.test.ts.
 */
let harness: OidcHarness;
let issuer: string;

beforeAll(async () => {
  harness = await startOidcHarness({ backchannelToPrivateNetworks: true });
  issuer = harness.issuer;
});

afterAll(() => harness.close());

const browse: OidcHarness["browse"] = (start, jar) => harness.browse(start, jar);
const discover: OidcHarness["discover"] = (app, secret) => harness.discover(app, secret);
const webApp = () => harness.webApp();
/** Who the stand-in interaction signs in. */
const signInAs = (id: string) => harness.setAccount(id);

/** An authorization request with PKCE S256 and `state` "s": its URL and the code verifier. */
async function authorizationRequest(config: client.Configuration, extra: Record<string, string> = {}) {
  const verifier = client.randomPKCECodeVerifier();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT,
    scope: "openid",
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: "s",
    ...extra,
  });
  return { url, verifier };
}

/**
 * A code flow for the app `config` describes (PKCE S256, `state` checked), in the browser `jar`
 * holds (a new one when not given): the token response of the code's exchange.
 */
async function codeFlow(
  config: client.Configuration,
  extra: Record<string, string> = {},
  jar = new Map<string, string>(),
  DPoP?: client.DPoPHandle,
) {
  const { url, verifier } = await authorizationRequest(config, extra);
  const back = present((await browse(url, jar)).location);
  return client.authorizationCodeGrant(
    config,
    back,
    { pkceCodeVerifier: verifier, expectedState: "s" },
    undefined,
    DPoP ? { DPoP } : undefined,
  );
}

describe("the OpenID provider's code flow", () => {
  it("signs a user into a web app with PKCE, rotates refresh tokens, and revokes the family on reuse", async () => {
    const user = await makeUser();
    signInAs(user.id);
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

  it("remembers a user's consent in every browser until they revoke it, and says when the app last used it", async () => {
    const user = await makeUser();
    signInAs(user.id);
    const app = await webApp();
    const config = await discover(app);
    /** A sign-in from a browser of its own (no provider session): a code, exchanged. */
    const signIn = () => codeFlow(config, { scope: "openid email" });
    const [logins, consents] = [harness.logins(), harness.consents()];
    await signIn();
    expect([harness.logins(), harness.consents()]).toEqual([logins + 1, consents + 1]);
    // Another browser: the user signs in again, and is not asked again.
    const second = await signIn();
    expect([harness.logins(), harness.consents()]).toEqual([logins + 2, consents + 1]);

    const { sessionId } = await signedInCookie(user.id);
    const me = present(await resolveSession(sessionId));
    await flushLastUsed();
    const [listed] = await listConnectedApps(me);
    expect(present(listed).lastUsedAt?.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // UserInfo is a use too, batched: recorded at most once a minute, never once per request.
    const info = await client.fetchUserInfo(config, second.access_token, present(second.claims()).sub);
    // What was allowed in the first browser holds in the second: the email scope's claims.
    expect(info.email).toBe(user.email);

    // Revoked in Connected apps: the next sign-in, in any browser, asks again.
    await revokeConnectedApp({ principal: me, appId: app.id, context: TEST_CONTEXT });
    await signIn();
    expect([harness.logins(), harness.consents()]).toEqual([logins + 3, consents + 2]);
  });

  it("runs the same flow for oauth4webapi, a second strict client library, with a nonce and UserInfo", async () => {
    const account = (await makeUser()).id;
    signInAs(account);
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
    signInAs((await makeUser()).id);
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

    const { url, verifier } = await authorizationRequest(config);
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
    signInAs((await makeUser()).id);
    const app = await webApp();
    const config = await discover(app);
    expect(config.serverMetadata().acr_values_supported).toEqual(
      expect.arrayContaining([ACR.password, ACR.passwordAndCode, ACR.phishingResistant]),
    );
    // One browser throughout: the second request finds the session, weaker than acr_values asks.
    const jar = new Map<string, string>();
    const signIn = async (extra: Record<string, string>) =>
      present((await codeFlow(config, extra, jar)).claims());
    const before = harness.logins();
    expect((await signIn({})).acr).toBe(ACR.password);
    expect(harness.logins()).toBe(before + 1);
    const stepped = await signIn({ acr_values: "phr" });
    expect(harness.logins()).toBe(before + 2);
    expect(stepped.acr).toBe(ACR.phishingResistant);
    expect(stepped.amr).toEqual(["swk", "user", "mfa"]);
    // The step-up ran with a provider session, and no stored row (its interaction's included) held its id.
    expect(harness.sessionChecks.seen).toBeGreaterThan(0);
    expect(harness.sessionChecks.leaks).toEqual([]);
    // The stronger session then serves both kinds of request without another sign-in.
    expect((await signIn({ acr_values: "urn:keyward:acr:pwd-mfa" })).acr).toBe(ACR.phishingResistant);
    expect(harness.logins()).toBe(before + 2);
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

  /** For one test, Keyward's issuer is this harness's, so its introspection and revocation take its tokens. */
  function keywardIssuerIsHarness() {
    const savedUrl = process.env.KEYWARD_URL;
    process.env.KEYWARD_URL = issuer;
    resetConfigForTests();
    onTestFinished(() => {
      process.env.KEYWARD_URL = savedUrl;
      resetConfigForTests();
    });
  }

  /**
   * A user holding orders.read and orders.refund through a role, an app allowed orders.read and
   * orders.write, signed in with the API's scopes asked: the code exchange's tokens, then a
   * refresh naming the API (the delegated JWT).
   */
  async function delegatedSetup() {
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
    signInAs(user.id);
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
    return { orders, role, user, app, config, tokens, delegated };
  }

  it("gives an app a JWT for a Protected API: what the app may ask ∩ what the user holds, and how they signed in", async () => {
    const { orders, role, user, app, config, delegated } = await delegatedSetup();
    expect(decodeProtectedHeader(delegated.access_token)).toMatchObject({ typ: "at+jwt", alg: "ES256" });
    const { payload } = await jwtVerify(delegated.access_token, harness.accessTokenKey, {
      issuer,
      audience: orders.identifier,
      typ: "at+jwt",
    });
    expect(payload).toMatchObject({ sub: user.id, client_id: app.id, scope: "orders.read", amr: ["pwd"] });
    expect(payload.acr).toBe(ACR.password);
    expect(payload.auth_time).toBeTypeOf("number");

    // An API that introspects (RFC 7662) sees the same, and how the user signed in. (Keyward's
    // issuer is this harness's for the while.)
    keywardIssuerIsHarness();
    const asApi = { ...orders, builtIn: false, disabled: false };
    expect(await introspect(delegated.access_token, asApi)).toMatchObject({
      active: true,
      scope: "orders.read",
      sub: user.id,
      client_id: app.id,
      aud: orders.identifier,
      acr: ACR.password,
    });
    // Keyward's own API never takes it; another API's introspection learns nothing of it.
    const builtInApi = present(await db.api.findUnique({ where: { id: BUILT_IN_API_ID } }));
    expect(
      await introspect(delegated.access_token, { ...builtInApi, builtIn: true, disabled: false }),
    ).toEqual({
      active: false,
    });

    // The role taken away: introspection says so at once; the next token carries nothing of it.
    await db.roleAssignment.delete({ where: { userId_roleId: { userId: user.id, roleId: role.id } } });
    expect(await introspect(delegated.access_token, asApi)).toEqual({ active: false });
    const after = await client.refreshTokenGrant(config, present(delegated.refresh_token), {
      resource: orders.identifier,
    });
    const { payload: narrowed } = await jwtVerify(after.access_token, harness.accessTokenKey, {
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

    // The role given back, the token is usable again; its consent revoked (the grant), never.
    await db.roleAssignment.create({ data: { userId: user.id, roleId: role.id } });
    expect(await introspect(delegated.access_token, asApi)).toMatchObject({ active: true });
    const issued = present(
      await db.oidcPayload.findFirst({
        where: { clientId: app.id, model: "RefreshToken" },
        select: { grantId: true },
      }),
    );
    await revokeGrant(present(issued.grantId));
    expect(await introspect(delegated.access_token, asApi)).toEqual({ active: false });
  });

  it("lets an app revoke its delegated token and its refresh token at Keyward's endpoint (RFC 7009), and nobody else", async () => {
    const { orders, app, config, delegated } = await delegatedSetup();
    keywardIssuerIsHarness();
    const asApi = { ...orders, builtIn: false, disabled: false };
    const revoke = (token: string, id = app.id, secret = app.secret) =>
      revokeRoute(
        new Request("http://localhost/api/oauth/revoke", {
          method: "POST",
          headers: {
            authorization: `Basic ${Buffer.from(`${id}:${secret}`).toString("base64")}`,
            "content-type": "application/x-www-form-urlencoded",
          },
          body: new URLSearchParams({ token }),
        }),
      );
    // Another app may not; a wrong secret is no client at all.
    const other = await webApp();
    expect((await revoke(delegated.access_token, other.id, other.secret)).status).toBe(400);
    expect((await revoke(delegated.access_token, app.id, "kw_as_wrong")).status).toBe(401);
    expect(await introspect(delegated.access_token, asApi)).toMatchObject({ active: true });

    expect((await revoke(delegated.access_token)).status).toBe(200);
    expect(await introspect(delegated.access_token, asApi)).toEqual({ active: false });
    expect((await revoke(present(delegated.refresh_token))).status).toBe(200);
    await expect(client.refreshTokenGrant(config, present(delegated.refresh_token))).rejects.toMatchObject({
      error: "invalid_grant",
    });
    // Unknown tokens are 200 all the same (RFC 7009 §2.2).
    expect((await revoke("not-a-token")).status).toBe(200);
  });

  it("lets a public app revoke its refresh token by client_id alone (RFC 7009 §2.1); a confidential one needs its secret", async () => {
    const user = await makeUser();
    signInAs(user.id);
    const spa = (await makeApp({ kind: "spa", firstParty: true, redirectUris: [REDIRECT] })).app;
    const config = await client.discovery(new URL(issuer), spa.id, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const tokens = await codeFlow(config);
    const refresh = present(tokens.refresh_token);
    const revoke = (token: string, form: Record<string, string>) =>
      revokeRoute(
        new Request("http://localhost/api/oauth/revoke", {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ token, ...form }),
        }),
      );
    // Another public app may not; a confidential app without its secret, or an unknown id, is no
    // client at all; none of them touched the token.
    const otherSpa = (await makeApp({ kind: "spa", redirectUris: [REDIRECT] })).app;
    const web = await webApp();
    expect((await revoke(refresh, { client_id: otherSpa.id })).status).toBe(400);
    const noSecret = await revoke(refresh, { client_id: web.id });
    expect(noSecret.status).toBe(401);
    expect(await noSecret.json()).toMatchObject({ error: "invalid_client" });
    expect((await revoke(refresh, { client_id: "app_unknown00000000000000" })).status).toBe(401);
    const rotated = present((await client.refreshTokenGrant(config, refresh)).refresh_token);

    // Its own, by client_id: the grant ends, and the next refresh is invalid_grant.
    expect((await revoke(rotated, { client_id: spa.id })).status).toBe(200);
    await expect(client.refreshTokenGrant(config, rotated)).rejects.toMatchObject({ error: "invalid_grant" });
  });

  /** An app's back-channel logout endpoint, on loopback (allowed by the harness's opt-in): what it received. */
  async function backchannelEndpoint() {
    const received: string[] = [];
    const endpoint = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        received.push(body);
        res.statusCode = 200;
        res.end();
      });
    });
    endpoint.listen(0, "127.0.0.1");
    await once(endpoint, "listening");
    onTestFinished(() => void endpoint.close());
    return {
      received,
      url: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}/backchannel-logout`,
    };
  }

  it("binds an app's tokens to its DPoP key (RFC 9449): delegated JWTs carry cnf, a public app's refresh token needs the key", async () => {
    const { orders, app, config } = await delegatedSetup();
    keywardIssuerIsHarness();
    // One list of algorithms for the one server: Keyward's own checks and the provider's.
    expect(config.serverMetadata().dpop_signing_alg_values_supported).toEqual([...DPOP_ALGS]);
    const key = await client.randomDPoPKeyPair("ES256");
    const jkt = await calculateJwkThumbprint(await exportJWK(key.publicKey));
    const dpop = () => client.getDPoPHandle(config, key);
    // A web app: the code exchange and a refresh naming the API, each with a proof (after a nonce).
    const tokens = await codeFlow(
      config,
      { scope: "openid offline_access orders.read", resource: orders.identifier, prompt: "consent" },
      new Map(),
      dpop(),
    );
    expect(tokens.token_type.toLowerCase()).toBe("dpop");
    const delegated = await client.refreshTokenGrant(
      config,
      present(tokens.refresh_token),
      { resource: orders.identifier },
      { DPoP: dpop() },
    );
    expect(decodeJwt(delegated.access_token).cnf).toEqual({ jkt });
    const asApi = {
      ...orders,
      builtIn: false,
      disabled: false,
      allowPersonalTokens: true,
      requireDpop: true,
    };
    expect(await introspect(delegated.access_token, asApi)).toMatchObject({
      active: true,
      token_type: "DPoP",
      cnf: { jkt },
    });
    // An API that takes only bound tokens finds an unbound one inactive.
    const bearer = await client.refreshTokenGrant(config, present(delegated.refresh_token), {
      resource: orders.identifier,
    });
    expect(decodeJwt(bearer.access_token).cnf).toBeUndefined();
    expect(await introspect(bearer.access_token, asApi)).toEqual({ active: false });

    // A public app's refresh token is bound to the key too: another key cannot refresh it.
    const spa = (await makeApp({ kind: "spa", firstParty: true, redirectUris: [REDIRECT] })).app;
    const spaConfig = await client.discovery(new URL(issuer), spa.id, undefined, client.None(), {
      execute: [client.allowInsecureRequests],
    });
    const spaTokens = await codeFlow(spaConfig, {}, new Map(), client.getDPoPHandle(spaConfig, key));
    const thief = await client.randomDPoPKeyPair("ES256");
    await expect(
      client.refreshTokenGrant(spaConfig, present(spaTokens.refresh_token), undefined, {
        DPoP: client.getDPoPHandle(spaConfig, thief),
      }),
    ).rejects.toMatchObject({ error: "invalid_grant" });
    await expect(client.refreshTokenGrant(spaConfig, present(spaTokens.refresh_token))).rejects.toMatchObject(
      { error: "invalid_grant" },
    );
    const refreshed = await client.refreshTokenGrant(spaConfig, present(spaTokens.refresh_token), undefined, {
      DPoP: client.getDPoPHandle(spaConfig, key),
    });
    expect(refreshed.access_token).toBeTruthy();

    // An app registered to require DPoP gets nothing without a proof.
    await db.$transaction(async (tx) => {
      await tx.application.update({ where: { id: app.id }, data: { requireDpop: true } });
      await credentialsChanged(tx, [`app:${app.id}`]);
    });
    // RFC 9449 §5.2 names no error for it: the library answers invalid_grant (Keyward's own
    // client-credentials grant, invalid_dpop_proof), and the code is spent either way.
    await expect(codeFlow(config)).rejects.toMatchObject({ error: "invalid_grant" });
    expect((await codeFlow(config, {}, new Map(), dpop())).token_type.toLowerCase()).toBe("dpop");
  });

  it("signs the apps out by back-channel when an administrator ends a user's sessions, not only at Sign out", async () => {
    keywardIssuerIsHarness();
    // Keyward's own provider sends this one (lib/oidc/sso-logout.ts): built afresh, allowed to
    // reach the test server on loopback as KEYWARD_BACKCHANNEL_PRIVATE=1 allows in production.
    const saved = process.env.KEYWARD_BACKCHANNEL_PRIVATE;
    process.env.KEYWARD_BACKCHANNEL_PRIVATE = "1";
    const store = globalThis as { __keywardOidc?: unknown };
    store.__keywardOidc = undefined;
    onTestFinished(() => {
      process.env.KEYWARD_BACKCHANNEL_PRIVATE = saved;
      store.__keywardOidc = undefined;
    });
    const { received, url: backchannel } = await backchannelEndpoint();
    const user = await makeUser();
    signInAs(user.id);
    const app = await harness.webApp({ firstParty: true });
    await db.application.update({ where: { id: app.id }, data: { backchannelLogoutUri: backchannel } });
    const config = await discover(app);
    const tokens = await codeFlow(config);
    const sid = present(tokens.claims()).sid;

    const { principal: admin } = await makePrincipal(["admin"]);
    expect(await endUserSessions({ actor: admin, userId: user.id, context: TEST_CONTEXT })).toBe(1);
    expect(received).toHaveLength(1);
    const logoutToken = present(new URLSearchParams(received[0]).get("logout_token"), "logout_token");
    const jwks = createRemoteJWKSet(new URL(present(config.serverMetadata().jwks_uri)));
    const { payload } = await jwtVerify(logoutToken, jwks, { issuer, audience: app.id, typ: "logout+jwt" });
    expect(payload).toMatchObject({ sub: user.id, sid });
    // The provider session went with it: nothing is left to tell a second time.
    expect(await db.oidcPayload.count({ where: { model: "Session", accountId: user.id } })).toBe(0);
  });

  it("signs out by RP-initiated logout: asks, ends the Keyward session, tells the app by back-channel, returns", async () => {
    const SIGNED_OUT = "https://portal.example.test/signed-out";
    const { url: backchannel, received } = await backchannelEndpoint();
    const user = await makeUser();
    signInAs(user.id);
    const app = await harness.webApp({ postLogoutRedirectUris: [SIGNED_OUT], firstParty: true });
    // Registration accepts only https and no loopback here: the row is pointed at the test server.
    await db.application.update({ where: { id: app.id }, data: { backchannelLogoutUri: backchannel } });
    const config = await discover(app);
    expect(config.serverMetadata()).toMatchObject({
      end_session_endpoint: `${issuer}/oidc/session/end`,
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
    const jar = new Map<string, string>();
    const tokens = await codeFlow(config, {}, jar);
    const claims = present(tokens.claims());
    // Apps with back-channel logout get the session's `sid` in their ID tokens.
    const sid = String(present(claims.sid, "sid"));
    const keywardSession = present(
      await db.session.findFirst({ where: { userId: user.id }, orderBy: { createdAt: "desc" } }),
    );

    const question = await harness.navigate(
      client.buildEndSessionUrl(config, {
        id_token_hint: present(tokens.id_token),
        post_logout_redirect_uri: SIGNED_OUT,
        state: "bye",
      }),
      { jar },
    );
    expect(question.status).toBe(200);
    expect(question.body).toContain("Sign out of Keyward?");
    const xsrf = present(/name="xsrf" value="([^"]+)"/.exec(question.body)?.[1], "xsrf");
    const done = await harness.navigate(new URL("/oidc/session/end/confirm", issuer), {
      jar,
      method: "POST",
      form: { xsrf, logout: "yes" },
    });
    expect(done.status).toBe(303);
    expect(present(done.location).href).toBe(`${SIGNED_OUT}?state=bye`);

    // OpenID Connect Back-Channel Logout 1.0 §2.4: one logout token, for this user and session.
    expect(received).toHaveLength(1);
    const logoutToken = present(new URLSearchParams(received[0]).get("logout_token"), "logout_token");
    const jwks = createRemoteJWKSet(new URL(present(config.serverMetadata().jwks_uri)));
    const { payload } = await jwtVerify(logoutToken, jwks, { issuer, audience: app.id, typ: "logout+jwt" });
    expect(payload).toMatchObject({
      sub: user.id,
      sid,
      events: { "http://schemas.openid.net/event/backchannel-logout": {} },
    });
    expect(payload.nonce).toBeUndefined();

    // "Yes, sign out of Keyward" ended the Keyward session itself, and with it the SSO.
    expect(
      (await db.session.findUniqueOrThrow({ where: { id: keywardSession.id } })).revokedAt,
    ).not.toBeNull();
    const silent = client.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: "openid",
      prompt: "none",
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: "S256",
      state: "s",
    });
    expect(present((await browse(silent, jar)).location).searchParams.get("error")).toBe("login_required");
    // The grant did not outlive the logout (no offline_access): its refresh token is refused.
    await expect(client.refreshTokenGrant(config, present(tokens.refresh_token))).rejects.toMatchObject({
      error: "invalid_grant",
    });
  });
});
