// An example web app that signs its users in with Keyward (issue 15): OpenID Connect's
// authorization code flow with PKCE, on openid-client (an OpenID Certified relying party).
// Plain Node, no framework; sessions in memory. Run it as its README says.
import { randomBytes } from "node:crypto";
import http from "node:http";

import { createRemoteJWKSet, jwtVerify } from "jose";
import * as oidc from "openid-client";

const env = process.env;
const ISSUER = new URL(env.ISSUER);
const PORT = Number(env.PORT ?? 4000);
const APP_URL = (env.APP_URL ?? `http://127.0.0.1:${PORT}`).replace(/\/+$/, "");
const REDIRECT_URI = `${APP_URL}/callback`;
// A loopback Keyward (a developer's, the tests') is plain HTTP; anything else must be HTTPS.
const loopback = ["localhost", "127.0.0.1", "[::1]"].includes(ISSUER.hostname);

const config = await oidc.discovery(
  ISSUER,
  env.CLIENT_ID,
  undefined,
  env.CLIENT_SECRET ? oidc.ClientSecretBasic(env.CLIENT_SECRET) : oidc.None(),
  loopback ? { execute: [oidc.allowInsecureRequests] } : undefined,
);

// A Protected API this app calls for its users (optional): its identifier, the permissions asked
// for, and its base URL. Tokens for it come from refresh with `resource` (RFC 8707).
const API = env.API_RESOURCE
  ? { resource: env.API_RESOURCE, scopes: env.API_SCOPES ?? "", url: String(env.API_URL).replace(/\/+$/, "") }
  : null;

const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));

// DPoP (RFC 9449), with DPOP=1: each browser session gets a key pair of its own, and every token
// request and API call carries a proof made with it, so the tokens are bound to that key: copied
// out of this app's traffic or logs, they are useless. openid-client makes the proofs and answers
// the server's nonce challenges itself.
const DPOP = env.DPOP === "1";

/** Options for openid-client's token and resource calls: the session's DPoP handle, if any. */
async function dpopOf(session) {
  if (!DPOP) return undefined;
  session.dpopKey ??= await oidc.randomDPoPKeyPair("ES256");
  session.dpop ??= oidc.getDPoPHandle(config, session.dpopKey);
  return { DPoP: session.dpop };
}

/** Browser sessions of this app: id (in an httpOnly cookie) -> what it knows of its user. */
const sessions = new Map();
const COOKIE = "sso_app_session";

function sessionOf(req, res) {
  const id = /(?:^|;\s*)sso_app_session=([\w-]+)/.exec(req.headers.cookie ?? "")?.[1];
  if (id && sessions.has(id)) return sessions.get(id);
  const fresh = randomBytes(24).toString("base64url");
  const session = { id: fresh };
  sessions.set(fresh, session);
  res.setHeader("set-cookie", `${COOKIE}=${fresh}; Path=/; HttpOnly; SameSite=Lax`);
  return session;
}

const escape = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function page(res, title, body, status = 200) {
  res.writeHead(status, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
  res.end(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escape(title)} · Example app</title></head><body><main><h1>${escape(title)}</h1>${body}</main></body></html>`,
  );
}

function home(res, session) {
  const user = session.user;
  const error = session.error ? `<p role="alert">Sign-in did not complete: ${escape(session.error)}</p>` : "";
  if (!user) {
    return page(
      res,
      "Example app",
      `${error}<p>You are not signed in.</p><p><a href="/login">Sign in with Keyward</a></p>`,
    );
  }
  const rows = [
    ["Name", user.name],
    ["Email", `${user.email} (${user.email_verified ? "verified" : "not verified"})`],
    ["Account", user.sub],
    ["How you signed in (acr)", user.acr],
    ["Methods (amr)", (user.amr ?? []).join(", ")],
    ["Signed in at", new Date(user.auth_time * 1000).toISOString()],
    ["Refresh token", session.refreshToken ? "yes" : "no"],
    // "DPoP" when bound to this session's key (DPOP=1), "Bearer" otherwise.
    ["Token type", session.tokenType ?? ""],
  ];
  const table = rows
    .map(([name, value]) => `<tr><th scope="row">${escape(name)}</th><td>${escape(value)}</td></tr>`)
    .join("");
  page(
    res,
    `Hello, ${user.name}`,
    `${error}<table><caption>What Keyward told this app</caption><tbody>${table}</tbody></table>
<p><a href="/login?acr_values=phr">Sign in again with a passkey</a> · <a href="/login?prompt=login">Sign in again</a></p>
<p><a href="/logout">Sign out</a></p>
<form method="post" action="/refresh"><button type="submit">Refresh the tokens</button></form>
<p id="refresh-result">${escape(session.refreshResult ?? "")}</p>${API ? apiSection(session) : ""}`,
  );
}

function apiSection(session) {
  const stepUp = session.stepUp
    ? `<p><a href="/login?${escape(session.stepUp)}">Sign in again as the Orders API asks</a></p>`
    : "";
  return `<h2>Orders API</h2>
<form method="post" action="/orders/list"><button type="submit">List orders</button></form>
<form method="post" action="/orders/place"><button type="submit">Place an order</button></form>
<p id="api-result">${escape(session.apiResult ?? "")}</p>${stepUp}`;
}

/**
 * Calls the API with a token for it alone, from a refresh naming it; a 401 asking for a stronger or
 * more recent sign-in (RFC 9470 insufficient_user_authentication) becomes a link that asks for it.
 */
async function callApi(res, session, method) {
  try {
    const dpop = await dpopOf(session);
    const tokens = await oidc.refreshTokenGrant(
      config,
      session.refreshToken,
      { resource: API.resource },
      dpop,
    );
    session.refreshToken = tokens.refresh_token;
    session.tokenType = tokens.token_type;
    // A bound token goes with a fresh proof for this very request (Authorization: DPoP). A 401
    // with a challenge comes back as an error that holds the response.
    const response = await oidc
      .fetchProtectedResource(
        config,
        tokens.access_token,
        new URL(`${API.url}/orders`),
        method,
        undefined,
        undefined,
        dpop,
      )
      .catch((error) => {
        if (error instanceof oidc.WWWAuthenticateChallengeError) return error.response;
        throw error;
      });
    const challenge = response.headers.get("www-authenticate") ?? "";
    if (response.status === 401 && challenge.includes('error="insufficient_user_authentication"')) {
      const asked = new URLSearchParams();
      const maxAge = /max_age=(\d+)/.exec(challenge)?.[1];
      const acr = /acr_values="([^"]+)"/.exec(challenge)?.[1];
      if (maxAge) asked.set("max_age", maxAge);
      if (acr) asked.set("acr_values", acr);
      session.stepUp = asked.toString();
      session.apiResult = `The Orders API asks for a ${acr ? "stronger" : "more recent"} sign-in.`;
    } else {
      session.stepUp = undefined;
      session.apiResult = `${response.status} ${method === "GET" ? "orders listed" : "order placed"}`;
    }
  } catch (error) {
    session.apiResult = `Could not call the API: ${error.error ?? error.message}`;
  }
  res.writeHead(303, { location: "/" });
  res.end();
}

async function login(req, res, session, url) {
  const verifier = oidc.randomPKCECodeVerifier();
  session.pending = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
  const params = {
    redirect_uri: REDIRECT_URI,
    scope: API ? `openid profile email ${API.scopes}` : "openid profile email",
    ...(API ? { resource: API.resource } : {}),
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: "S256",
    state: session.pending.state,
    nonce: session.pending.nonce,
  };
  // What an app asks for a step-up (issue 15 §4): a stronger sign-in, or a fresh one.
  for (const name of ["acr_values", "prompt", "max_age", "login_hint"]) {
    const value = url.searchParams.get(name);
    if (value) params[name] = value;
  }
  res.writeHead(303, { location: oidc.buildAuthorizationUrl(config, params).href });
  res.end();
}

async function callback(req, res, session, url) {
  const pending = session.pending;
  session.pending = undefined;
  if (url.searchParams.has("error")) {
    session.error = `${url.searchParams.get("error")}: ${url.searchParams.get("error_description") ?? ""}`;
  } else if (pending) {
    try {
      const dpop = await dpopOf(session);
      const tokens = await oidc.authorizationCodeGrant(
        config,
        new URL(url.pathname + url.search, APP_URL),
        { pkceCodeVerifier: pending.verifier, expectedState: pending.state, expectedNonce: pending.nonce },
        undefined,
        dpop,
      );
      const claims = tokens.claims();
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub, dpop);
      session.tokenType = tokens.token_type;
      session.user = { ...claims, ...info };
      session.idToken = tokens.id_token;
      session.refreshToken = tokens.refresh_token;
      session.error = undefined;
    } catch (error) {
      // openid-client's ResponseBodyError carries the OAuth error (RFC 6749 §5.2) and its description.
      session.error = error.error ? `${error.error}: ${error.error_description ?? ""}` : error.message;
    }
  } else {
    session.error = "no sign-in was in progress";
  }
  res.writeHead(303, { location: "/" });
  res.end();
}

/** RP-initiated logout: out of this app at once, then Keyward asks whether to sign out there too. */
function logout(res, session) {
  const idToken = session.idToken;
  sessions.delete(session.id);
  const url = oidc.buildEndSessionUrl(config, {
    ...(idToken ? { id_token_hint: idToken } : {}),
    post_logout_redirect_uri: `${APP_URL}/signed-out`,
  });
  res.writeHead(303, { location: url.href });
  res.end();
}

/**
 * Back-channel logout (OpenID Connect Back-Channel Logout 1.0 §2.6): Keyward posts a logout token
 * when the user signs out there; every session of this app for that Keyward session (`sid`) ends.
 */
async function backchannelLogout(req, res) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  const token = new URLSearchParams(Buffer.concat(chunks).toString()).get("logout_token") ?? "";
  try {
    const { payload } = await jwtVerify(token, jwks, {
      issuer: config.serverMetadata().issuer,
      audience: env.CLIENT_ID,
      typ: "logout+jwt",
    });
    const event = payload.events?.["http://schemas.openid.net/event/backchannel-logout"];
    if (!event || payload.nonce !== undefined || (!payload.sid && !payload.sub))
      throw new Error("not a logout token");
    for (const [id, session] of sessions) {
      if (
        session.user &&
        (payload.sid ? session.user.sid === payload.sid : session.user.sub === payload.sub)
      ) {
        sessions.delete(id);
      }
    }
    res.writeHead(200, { "cache-control": "no-store" });
    res.end();
  } catch (error) {
    res.writeHead(400, { "content-type": "application/json", "cache-control": "no-store" });
    res.end(JSON.stringify({ error: "invalid_request", error_description: error.message }));
  }
}

async function refresh(res, session) {
  if (!session.refreshToken) session.refreshResult = "No refresh token.";
  else {
    try {
      const tokens = await oidc.refreshTokenGrant(
        config,
        session.refreshToken,
        undefined,
        await dpopOf(session),
      );
      session.refreshToken = tokens.refresh_token;
      session.tokenType = tokens.token_type;
      session.refreshResult = "Refreshed.";
    } catch (error) {
      session.refreshResult = `Refresh refused: ${error.error ?? error.message}`;
    }
  }
  res.writeHead(303, { location: "/" });
  res.end();
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", APP_URL);
  const session = sessionOf(req, res);
  const route = `${req.method} ${url.pathname}`;
  const done = (promise) =>
    promise.catch((error) => {
      console.error(error);
      if (!res.headersSent) page(res, "Something went wrong", `<p>${escape(error.message)}</p>`, 500);
    });
  if (route === "GET /") return home(res, session);
  if (route === "GET /login") return done(login(req, res, session, url));
  if (route === "GET /callback") return done(callback(req, res, session, url));
  if (route === "POST /refresh") return done(refresh(res, session));
  if (route === "GET /logout") return logout(res, session);
  if (route === "GET /signed-out")
    return page(
      res,
      "Signed out",
      `<p>You have signed out of the example app.</p><p><a href="/">Home</a></p>`,
    );
  if (route === "POST /backchannel-logout") return done(backchannelLogout(req, res));
  if (API && route === "POST /orders/list") return done(callApi(res, session, "GET"));
  if (API && route === "POST /orders/place") return done(callApi(res, session, "POST"));
  page(res, "Not found", "<p>No such page.</p>", 404);
});

server.listen(PORT, "127.0.0.1", () => {
  console.log(`example app listening on http://127.0.0.1:${server.address().port}`);
});
