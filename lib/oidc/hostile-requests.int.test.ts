import * as client from "openid-client";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

import { db } from "@/lib/db/client";
import { setAppDisabled } from "@/lib/apps/manage-apps";
import { makePrincipal, makeUser, present, TEST_CONTEXT } from "@/test/factories";
import { REDIRECT, startOidcHarness, type Navigation, type OidcHarness } from "@/test/oidc-harness";

import { revokeGrant } from "./adapter.ts";
import { ACR } from "./acr.ts";

/**
 * Guarantee (issue 15, "Hostile authorize and token requests"; RFC 6749 §4.1.2.1 and §5.2, RFC
 * 7636, RFC 9700 §4.1 and §4.14, OpenID Connect Core §3.1.2.6, RP-Initiated Logout 1.0 §2-3):
 * requests a relying party should never send, or an attacker would, are answered as the specs say.
 * A request that cannot be trusted to name where to go back (unknown client, unregistered or
 * repeated redirect URI) gets Keyward's page and no redirect; any other error goes to the app's
 * registered redirect URI, by query, never through an auto-submitting form; a code or refresh
 * token is refused (`invalid_grant`) once replayed, presented by another app, or after its user or
 * grant is gone; a wrong client credential is `invalid_client`. And in every case: no redirect to
 * anywhere not registered, and no 5xx at any step.
 */
let harness: OidcHarness;
let issuer: string;

beforeAll(async () => {
  harness = await startOidcHarness();
  issuer = harness.issuer;
});

afterAll(() => harness.close());

afterEach(() => {
  // A server_error is a 500 the test may not have looked at: none, ever.
  expect(harness.serverErrors.splice(0)).toEqual([]);
});

type App = { id: string; secret: string };

/** A user signed in by the stand-in interaction, and a web app of their organization. */
async function userAndApp(fields: Record<string, unknown> = {}) {
  const [user, app] = await Promise.all([makeUser(), harness.webApp(fields)]);
  harness.setAccount(user.id);
  harness.setLogin();
  return { user, app };
}

/** The response parameters a redirect carries, from the query or (the implicit kinds) the fragment. */
function answer(location: URL): URLSearchParams {
  return location.hash ? new URLSearchParams(location.hash.slice(1)) : location.searchParams;
}

/** The URI a redirect goes to, without the response parameters the provider added to it. */
function destination(location: URL): string {
  const url = new URL(location);
  url.hash = "";
  for (const name of ["code", "state", "iss", "error", "error_description", "session_state"])
    url.searchParams.delete(name);
  return url.href.replace(/\?$/, "");
}

/**
 * What every answer must be, whatever the request: no 5xx at any step, no redirect anywhere but a
 * registered URI, no auto-submitting form (form_post is not offered).
 */
function expectSafe(navigation: Navigation, registered: string[] = [REDIRECT]): void {
  for (const hop of navigation.hops)
    expect(hop.status, `${hop.method} ${hop.url.pathname}`).toBeLessThan(500);
  if (navigation.location) expect(registered).toContain(destination(navigation.location));
  expect(navigation.body).not.toMatch(/<script|document\.forms/i);
}

/** Keyward's page for a request that cannot go back to the app: a 400, no Location, no form. */
function expectErrorPage(navigation: Navigation): void {
  expectSafe(navigation);
  expect(navigation.location).toBeNull();
  expect(navigation.status).toBe(400);
  expect(navigation.headers.get("content-type")).toMatch(/^text\/html/);
  expect(navigation.body).toContain("Sign-in could not continue");
  expect(navigation.body).not.toContain("<form");
}

/** An answer at the registered redirect URI, carrying `error` (and the request's state). */
function expectRedirectError(
  navigation: Navigation,
  error: string,
  state: string | null = "s",
): URLSearchParams {
  expectSafe(navigation);
  const location = present(navigation.location, "redirect");
  expect(destination(location)).toBe(REDIRECT);
  const params = answer(location);
  expect(params.get("error")).toBe(error);
  expect(params.get("code")).toBeNull();
  expect(params.get("state")).toBe(state);
  expect(params.get("iss")).toBe(issuer);
  return params;
}

type Params = Record<string, string | string[] | undefined>;

/** An authorization request for the app, valid unless `changes` make it otherwise (undefined drops one). */
function authorizeUrl(app: App, changes: Params = {}): URL {
  const url = new URL("/oidc/auth", issuer);
  const params: Params = {
    client_id: app.id,
    response_type: "code",
    redirect_uri: REDIRECT,
    scope: "openid",
    state: "s",
    // A well-formed challenge; the tests that exchange a code make their own.
    code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
    code_challenge_method: "S256",
    ...changes,
  };
  for (const [name, value] of Object.entries(params)) {
    for (const one of value === undefined ? [] : [value].flat()) url.searchParams.append(name, one);
  }
  return url;
}

/** Signs in through the code flow with PKCE and returns the code (not yet redeemed) and its verifier. */
async function codeFor(app: App, changes: Params = {}, jar = new Map<string, string>()) {
  const verifier = client.randomPKCECodeVerifier();
  const url = authorizeUrl(app, {
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    ...changes,
  });
  const navigation = await harness.navigate(url, { jar });
  expectSafe(navigation);
  const back = present(navigation.location, "redirect");
  const code = present(back.searchParams.get("code"), "code");
  return { code, verifier, back, jar };
}

/** A raw token request (HTTP Basic unless `auth` says otherwise): status, JSON body, headers. */
async function token(form: Record<string, string>, auth: { id: string; secret: string } | "none") {
  const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded" };
  if (auth !== "none") {
    const basic = `${encodeURIComponent(auth.id)}:${encodeURIComponent(auth.secret)}`;
    headers.authorization = `Basic ${Buffer.from(basic).toString("base64")}`;
  }
  const response = await fetch(new URL("/api/oauth/token", issuer), {
    method: "POST",
    headers,
    body: new URLSearchParams(form).toString(),
    redirect: "manual",
  });
  expect(response.status).toBeLessThan(500);
  expect(response.headers.get("location")).toBeNull();
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

const exchange = (app: App, code: string, verifier: string, credentials: App = app) =>
  token(
    { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT },
    credentials,
  );

const refreshWith = (app: App, refreshToken: string) =>
  token({ grant_type: "refresh_token", refresh_token: refreshToken }, app);

describe("authorization requests that cannot go back to the app", () => {
  it("answers an unknown, malformed or disabled client_id with a page, never a redirect", async () => {
    const { app } = await userAndApp();
    for (const clientId of [
      "app_doesnotexist0000",
      "",
      "app_../../x",
      "app_" + "a".repeat(5000),
      "Ṡ\u0000",
    ]) {
      expectErrorPage(await harness.navigate(authorizeUrl(app, { client_id: clientId })));
    }
    expectErrorPage(await harness.navigate(authorizeUrl(app, { client_id: undefined })));
    // Once it has signed someone in (its registration is then cached), an app disabled by an
    // administrator is no client at its next request.
    expect(
      present((await harness.navigate(authorizeUrl(app))).location).searchParams.get("code"),
    ).toBeTruthy();
    const { principal } = await makePrincipal(["admin"]);
    await setAppDisabled({ actor: principal, id: app.id, disabled: true, context: TEST_CONTEXT });
    expectErrorPage(await harness.navigate(authorizeUrl(app)));
  });

  it("answers a redirect URI one character off the registered one with a page, never a redirect", async () => {
    const { app } = await userAndApp();
    const nearMisses = [
      `${REDIRECT}/`,
      "https://portal.example.test/Callback",
      "https://PORTAL.example.test/callback",
      `${REDIRECT}?x=1`,
      `${REDIRECT}#x`,
      "http://portal.example.test/callback",
      "https://portal.example.test:8443/callback",
      "https://portal.example.test.evil.test/callback",
      "https://evil.test/callback",
      "//evil.test/callback",
      "",
    ];
    for (const redirectUri of nearMisses) {
      const navigation = await harness.navigate(authorizeUrl(app, { redirect_uri: redirectUri }));
      expectErrorPage(navigation);
      // An error that would otherwise go back (here none at all) is not sent there either.
      expect(navigation.body).not.toContain("evil.test");
    }
    // Missing: no single registered URI is assumed (allowOmittingSingleRegisteredRedirectUri off).
    expectErrorPage(await harness.navigate(authorizeUrl(app, { redirect_uri: undefined })));
    // And an error the request also has (no PKCE) does not make the page a redirect.
    expectErrorPage(
      await harness.navigate(authorizeUrl(app, { redirect_uri: `${REDIRECT}/`, code_challenge: undefined })),
    );
  });

  it("answers repeated parameters with a page: two redirect URIs (one registered), two client ids", async () => {
    const { app } = await userAndApp();
    const other = await harness.webApp();
    for (const changes of [
      { redirect_uri: [REDIRECT, "https://evil.test/callback"] },
      { redirect_uri: [REDIRECT, REDIRECT] },
      { client_id: [app.id, other.id] },
    ]) {
      const navigation = await harness.navigate(authorizeUrl(app, changes));
      expectErrorPage(navigation);
      expect(navigation.body).toContain("must not be provided twice");
    }
    // Any other parameter twice is an error the app hears of, at its registered URI.
    expectRedirectError(
      await harness.navigate(authorizeUrl(app, { scope: ["openid", "openid email"] })),
      "invalid_request",
    );
  });
});

describe("authorization requests answered at the registered redirect URI", () => {
  it("requires PKCE with S256: no challenge, `plain`, or a malformed challenge is invalid_request", async () => {
    const { app } = await userAndApp();
    const before = harness.logins();
    for (const changes of [
      { code_challenge: undefined },
      { code_challenge: undefined, code_challenge_method: undefined },
      { code_challenge_method: "plain" },
      { code_challenge: "x".repeat(43), code_challenge_method: "plain" },
      { code_challenge_method: "S512" },
      { code_challenge: "short" },
    ]) {
      expectRedirectError(await harness.navigate(authorizeUrl(app, changes)), "invalid_request");
    }
    // None of them reached the sign-in.
    expect(harness.logins()).toBe(before);
  });

  it("answers implicit and hybrid response types with unsupported_response_type, never a token", async () => {
    const { app } = await userAndApp();
    for (const responseType of [
      "token",
      "id_token",
      "code id_token",
      "code token",
      "id_token token",
      "none",
    ]) {
      const navigation = await harness.navigate(
        authorizeUrl(app, { response_type: responseType, nonce: "n" }),
      );
      const params = expectRedirectError(navigation, "unsupported_response_type");
      expect(params.get("access_token")).toBeNull();
      expect(params.get("id_token")).toBeNull();
    }
    // Unknown or missing response_type.
    expectRedirectError(
      await harness.navigate(authorizeUrl(app, { response_type: "code code2" })),
      "unsupported_response_type",
    );
    expectRedirectError(
      await harness.navigate(authorizeUrl(app, { response_type: undefined })),
      "invalid_request",
    );
  });

  it("refuses form_post and every mode but query, by query, never with an auto-submitting form", async () => {
    const { app } = await userAndApp();
    for (const mode of ["form_post", "fragment", "web_message", "jwt", "query.jwt", "form_post.jwt", "x"]) {
      const navigation = await harness.navigate(authorizeUrl(app, { response_mode: mode }));
      expectRedirectError(navigation, "unsupported_response_mode");
      expect(present(navigation.location).hash).toBe("");
    }
    // With a hybrid response type (refused anyway) the answer takes that type's default, the fragment.
    const hybrid = await harness.navigate(
      authorizeUrl(app, { response_mode: "form_post", response_type: "code id_token", nonce: "n" }),
    );
    expectRedirectError(hybrid, "unsupported_response_mode");
  });

  it("serves no POSTed authorization request, so no form_post can come in through a form body", async () => {
    const { app } = await userAndApp();
    // The response_mode rewrite (lib/oidc/provider.ts) reads the query only: were POST enabled
    // (the library's enableHttpPostMethods), a form_post in the body would pass it.
    const form = Object.fromEntries(authorizeUrl(app, { response_mode: "form_post" }).searchParams);
    const navigation = await harness.navigate(new URL("/oidc/auth", issuer), { method: "POST", form });
    expectSafe(navigation);
    if (navigation.location) expectRedirectError(navigation, "unsupported_response_mode");
    else expect(navigation.status).toBe(404);
  });

  it("answers prompt=none without a session with login_required, and without an interaction", async () => {
    const { app } = await userAndApp();
    const before = harness.logins();
    expectRedirectError(await harness.navigate(authorizeUrl(app, { prompt: "none" })), "login_required");
    // Nor may a session too weak for acr_values pass silently.
    const { jar } = await codeFor(app);
    expectRedirectError(
      await harness.navigate(authorizeUrl(app, { prompt: "none", acr_values: ACR.phishingResistant }), {
        jar,
      }),
      "login_required",
    );
    // With it, prompt=none signs in silently.
    const silent = await harness.navigate(authorizeUrl(app, { prompt: "none" }), { jar });
    expect(present(silent.location).searchParams.get("code")).toBeTruthy();
    expect(harness.logins()).toBe(before + 1);
    // prompt=none beside another prompt is invalid_request.
    expectRedirectError(
      await harness.navigate(authorizeUrl(app, { prompt: "none login" }), { jar }),
      "invalid_request",
    );
  });

  it("signs in again for max_age=0 though a session exists, and the new ID token's auth_time is fresh", async () => {
    const { app } = await userAndApp();
    const config = await harness.discover(app);
    // The session's sign-in was ten minutes ago.
    const earlier = Math.floor(Date.now() / 1000) - 600;
    harness.setLogin(() => ({ acr: ACR.password, amr: ["pwd"], ts: earlier }));
    const first = await codeFor(app);
    const firstTokens = await client.authorizationCodeGrant(config, first.back, {
      pkceCodeVerifier: first.verifier,
      expectedState: "s",
    });
    expect(present(firstTokens.claims()).auth_time).toBe(earlier);
    harness.setLogin();
    const before = harness.logins();
    const asked = Math.floor(Date.now() / 1000);
    const again = await codeFor(app, { max_age: "0" }, first.jar);
    expect(harness.logins()).toBe(before + 1);
    const tokens = await client.authorizationCodeGrant(config, again.back, {
      pkceCodeVerifier: again.verifier,
      expectedState: "s",
      maxAge: 0,
    });
    expect(present(tokens.claims()).auth_time).toBeGreaterThanOrEqual(asked);
    // max_age given the session's age does not sign in again.
    const young = await codeFor(app, { max_age: "3600" }, first.jar);
    expect(harness.logins()).toBe(before + 1);
    expect(young.code).toBeTruthy();
  });

  it("takes a long state, unicode in state and nonce, and refuses NUL or unicode in scope by the spec", async () => {
    const { user, app } = await userAndApp();
    const config = await harness.discover(app);
    const long = "s".repeat(5_000);
    const { back } = await codeFor(app, { state: long });
    expect(back.searchParams.get("state")).toBe(long);

    const odd = "Ṡtäte ✓ \u0001 <script>&\"'";
    const nonce = "nöncé ✓";
    const unusual = await codeFor(app, { state: odd, nonce });
    expect(unusual.back.searchParams.get("state")).toBe(odd);
    const tokens = await client.authorizationCodeGrant(config, unusual.back, {
      pkceCodeVerifier: unusual.verifier,
      expectedState: odd,
      expectedNonce: nonce,
    });
    expect(present(tokens.claims())).toMatchObject({ sub: user.id, nonce });

    // A scope outside RFC 6749 §3.3's characters is invalid_scope, at the registered URI.
    for (const scope of ["openid émail", "openid\temail", 'openid "x"'])
      expectRedirectError(await harness.navigate(authorizeUrl(app, { scope })), "invalid_scope");
    // Two states: invalid_request at the registered URI, echoing neither.
    expectRedirectError(
      await harness.navigate(authorizeUrl(app, { state: ["a", "b"] })),
      "invalid_request",
      null,
    );
  });

  // NUL and ill-formed Unicode are refused where input enters, here as everywhere (the library
  // would store the parameters in the interaction, and PostgreSQL's jsonb cannot hold U+0000):
  // Keyward's page, before any redirect URI is trusted, never a 5xx.
  it("answers a NUL in any parameter with a page, never a 5xx or a redirect", async () => {
    const { app } = await userAndApp();
    for (const changes of [
      { state: "a\u0000b" },
      { nonce: "a\u0000b" },
      { login_hint: "a\u0000b" },
      { ui_locales: "a\u0000b" },
      { scope: "openid \u0000" },
    ]) {
      expectErrorPage(await harness.navigate(authorizeUrl(app, changes)));
    }
  });
});

describe("token requests", () => {
  it("refuses a replayed code with invalid_grant and revokes what its first redemption issued", async () => {
    const { app } = await userAndApp({ firstParty: true });
    const { code, verifier } = await codeFor(app);
    const first = await exchange(app, code, verifier);
    expect(first.status).toBe(200);
    const refresh = String(first.body.refresh_token);
    expect(refresh).toBeTruthy();
    const replay = await exchange(app, code, verifier);
    expect(replay).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    // RFC 6749 §4.1.2, RFC 9700 §4.14: the tokens of the first redemption are revoked with the grant.
    expect(await refreshWith(app, refresh)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const info = await fetch(new URL("/oidc/me", issuer), {
      headers: { authorization: `Bearer ${String(first.body.access_token)}` },
    });
    expect(info.status).toBe(401);
    expect(await db.oidcPayload.count({ where: { clientId: app.id, model: { not: "Session" } } })).toBe(0);
  });

  it("refuses a code presented by another app, with the other app's own valid credentials", async () => {
    const { app } = await userAndApp();
    const other = await harness.webApp();
    const { code, verifier } = await codeFor(app);
    expect(await exchange(app, code, verifier, other)).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
    // And a code with the wrong verifier, or for another redirect URI, is invalid_grant too.
    const second = await codeFor(app);
    const wrongVerifier = await exchange(app, second.code, client.randomPKCECodeVerifier());
    expect(wrongVerifier).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    const third = await codeFor(app);
    const elsewhere = await token(
      {
        grant_type: "authorization_code",
        code: third.code,
        code_verifier: third.verifier,
        redirect_uri: `${REDIRECT}/`,
      },
      app,
    );
    expect(elsewhere).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
    // No verifier at all: PKCE is required at the token endpoint too.
    const fourth = await codeFor(app);
    const noVerifier = await token(
      { grant_type: "authorization_code", code: fourth.code, redirect_uri: REDIRECT },
      app,
    );
    expect(noVerifier).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("refuses a code and a refresh token once their user is disabled", async () => {
    const { user, app } = await userAndApp({ firstParty: true });
    const signedIn = await codeFor(app);
    const tokens = await exchange(app, signedIn.code, signedIn.verifier);
    expect(tokens.status).toBe(200);
    const pending = await codeFor(app, {}, signedIn.jar);
    await db.user.update({ where: { id: user.id }, data: { status: "disabled" } });
    expect(await exchange(app, pending.code, pending.verifier)).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
    expect(await refreshWith(app, String(tokens.body.refresh_token))).toMatchObject({
      status: 400,
      body: { error: "invalid_grant" },
    });
    // Their provider session is gone too: prompt=none is login_required.
    expectRedirectError(
      await harness.navigate(authorizeUrl(app, { prompt: "none" }), { jar: signedIn.jar }),
      "login_required",
    );
  });

  it("refuses a refresh after the grant is revoked, as revoking consent does", async () => {
    const { app } = await userAndApp({ firstParty: true });
    const { code, verifier } = await codeFor(app);
    const tokens = await exchange(app, code, verifier);
    const refresh = String(tokens.body.refresh_token);
    const row = present(
      await db.oidcPayload.findFirst({ where: { model: "RefreshToken", clientId: app.id } }),
      "refresh token row",
    );
    await revokeGrant(present(row.grantId, "grant id"));
    expect(await refreshWith(app, refresh)).toMatchObject({ status: 400, body: { error: "invalid_grant" } });
  });

  it("refuses a wrong client secret, the stored hash, another app's secret: invalid_client, 401", async () => {
    const { app } = await userAndApp();
    const other = await harness.webApp();
    const hash = present(await db.applicationSecret.findFirst({ where: { appId: app.id } })).hash;
    const { code, verifier } = await codeFor(app);
    for (const secret of [`${app.secret}x`, app.secret.slice(0, -1), hash, other.secret]) {
      const refused = await exchange(app, code, verifier, { id: app.id, secret });
      // RFC 6749 §5.2: 401 with a challenge for a client that authenticated with HTTP Basic.
      expect(refused).toMatchObject({ status: 401, body: { error: "invalid_client" } });
      expect(refused.headers.get("www-authenticate")).toMatch(/^Basic /);
    }
    // The same in the body (client_secret_post, which the library takes beside Basic).
    const posted = await token(
      {
        grant_type: "authorization_code",
        code,
        code_verifier: verifier,
        redirect_uri: REDIRECT,
        client_id: app.id,
        client_secret: hash,
      },
      "none",
    );
    expect(posted).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    // A confidential app naming itself without a secret, and an unknown client.
    const bare = await token({ grant_type: "authorization_code", code, client_id: app.id }, "none");
    expect(bare).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    const unknown = await exchange(app, code, verifier, { id: "app_doesnotexist0000", secret: app.secret });
    expect(unknown).toMatchObject({ status: 401, body: { error: "invalid_client" } });
    // No credentials at all, or Basic with an empty secret: the library calls the request malformed
    // (invalid_request, 400) where RFC 6749 §5.2's example would say invalid_client; either refuses.
    const empty = await exchange(app, code, verifier, { id: app.id, secret: "" });
    expect(empty).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    const anonymous = await token(
      { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT },
      "none",
    );
    expect(anonymous).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    // None of these touched the code: the app itself still redeems it.
    expect((await exchange(app, code, verifier)).status).toBe(200);
  });

  it("answers grants it does not offer with unsupported_grant_type, and a malformed request with invalid_request", async () => {
    const { app } = await userAndApp();
    for (const grantType of [
      "password",
      "implicit",
      "token",
      "client_credentials",
      "urn:ietf:params:oauth:grant-type:device_code",
      "urn:ietf:params:oauth:grant-type:jwt-bearer",
      "urn:ietf:params:oauth:grant-type:token-exchange",
      "urn:openid:params:grant-type:ciba",
      "authorization_code\u0000",
    ]) {
      const refused = await token({ grant_type: grantType, username: "a", password: "b" }, app);
      expect(refused, grantType).toMatchObject({ status: 400, body: { error: "unsupported_grant_type" } });
    }
    expect(await token({}, app)).toMatchObject({ status: 400, body: { error: "invalid_request" } });
    // Two grant types, and a code or refresh token that is no such thing.
    const twice = await fetch(new URL("/api/oauth/token", issuer), {
      method: "POST",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        authorization: `Basic ${Buffer.from(`${app.id}:${app.secret}`).toString("base64")}`,
      },
      body: "grant_type=refresh_token&grant_type=authorization_code&refresh_token=x",
    });
    expect(twice.status).toBe(400);
    expect(await twice.json()).toMatchObject({ error: "invalid_request" });
    for (const value of ["x", "", "\u0000", "a".repeat(5_000)]) {
      // Missing (empty) is a malformed request; anything else is no grant of this provider's.
      const error = value === "" ? "invalid_request" : "invalid_grant";
      expect(await refreshWith(app, value)).toMatchObject({ status: 400, body: { error } });
      const code = await exchange(app, value, client.randomPKCECodeVerifier());
      expect(code).toMatchObject({ status: 400, body: { error } });
    }
  });
});

describe("RP-initiated logout", () => {
  const SIGNED_OUT = "https://portal.example.test/signed-out";

  it("asks before signing out for a registered post-logout URI, and shows a page for any other", async () => {
    const { app } = await userAndApp({ postLogoutRedirectUris: [SIGNED_OUT] });
    const config = await harness.discover(app);
    const { back, verifier, jar } = await codeFor(app);
    const tokens = await client.authorizationCodeGrant(config, back, {
      pkceCodeVerifier: verifier,
      expectedState: "s",
    });
    const idToken = present(tokens.id_token);
    const end = (params: Record<string, string>) => {
      const url = new URL("/oidc/session/end", issuer);
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      return harness.navigate(url, { jar });
    };

    const question = await end({
      id_token_hint: idToken,
      post_logout_redirect_uri: SIGNED_OUT,
      state: "bye",
    });
    expectSafe(question, [SIGNED_OUT]);
    expect(question.status).toBe(200);
    expect(question.location).toBeNull();
    expect(question.body).toContain("Sign out of Keyward?");
    expect(question.body).toMatch(
      /<form id="op\.logoutForm" method="post" action="[^"]*\/oidc\/session\/end\/confirm"/,
    );
    // A post-logout URI naming no app (neither id_token_hint nor client_id) is dropped, not followed.
    const anonymous = await end({ post_logout_redirect_uri: "https://evil.test/signed-out" });
    expectSafe(anonymous, []);
    expect(anonymous.location).toBeNull();
    expect(anonymous.body).not.toContain("evil.test");

    const refusals: Record<string, string>[] = [
      { id_token_hint: idToken, post_logout_redirect_uri: `${SIGNED_OUT}/` },
      { id_token_hint: idToken, post_logout_redirect_uri: "https://evil.test/signed-out" },
      { id_token_hint: idToken, post_logout_redirect_uri: REDIRECT },
      { client_id: app.id, post_logout_redirect_uri: "https://evil.test/signed-out" },
      { id_token_hint: `${idToken}x`, post_logout_redirect_uri: SIGNED_OUT },
      { id_token_hint: "not-a-jwt", post_logout_redirect_uri: SIGNED_OUT },
    ];
    for (const params of refusals) {
      const refused = await end(params);
      expectSafe(refused, []);
      expect(refused.location).toBeNull();
      expect(refused.status).toBeGreaterThanOrEqual(400);
      expect(refused.body).not.toContain("op.logoutForm");
      expect(refused.body).not.toContain("evil.test");
    }
  });
});
