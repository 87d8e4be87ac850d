// An example resource server for Keyward (issue 14 §6): it verifies JWT access tokens itself
// (RFC 9068, and DPoP proofs for bound ones, RFC 9449, with oauth4webapi) and asks Keyward about
// personal tokens by introspection (RFC 7662), then enforces its own scopes.
import { createHash } from "node:crypto";
import http from "node:http";

import { decodeJwt } from "jose";
import * as oauth from "oauth4webapi";

const env = process.env;
const { ISSUER, AUDIENCE, INTROSPECTION_URL, RS_CLIENT_ID, RS_CLIENT_SECRET } = env;
// The URL clients call this API at: a DPoP proof names it (htu), so it is configured, never read
// from the request's Host header (unset: the loopback address it listens on).
let publicUrl = env.PUBLIC_URL?.replace(/\/+$/, "");
// REQUIRE_DPOP=1: only tokens bound to their holder's key; a bearer token is refused.
const REQUIRE_DPOP = env.REQUIRE_DPOP === "1";
const as = { issuer: ISSUER, jwks_uri: env.JWKS_URL };
const loopback = ["localhost", "127.0.0.1"].includes(new URL(ISSUER).hostname);
const DPOP_ALGS = "ES256 RS256 PS256 EdDSA";
// Short: a revoked personal token keeps working here for at most this long. 0 turns it off.
const CACHE_MS = Number(env.INTROSPECTION_CACHE_SECONDS ?? 10) * 1000;
const cache = new Map();
const basic = `Basic ${Buffer.from(`${encodeURIComponent(RS_CLIENT_ID)}:${encodeURIComponent(RS_CLIENT_SECRET)}`).toString("base64")}`;

async function introspect(token) {
  const key = createHash("sha256").update(token).digest("hex");
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.answer;
  const response = await fetch(INTROSPECTION_URL, {
    method: "POST",
    headers: { authorization: basic, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token }),
  });
  if (!response.ok) throw new Error(`introspection answered ${response.status}`);
  const answer = await response.json();
  if (CACHE_MS > 0) cache.set(key, { at: Date.now(), answer });
  if (cache.size > 10_000) cache.delete(cache.keys().next().value);
  return answer;
}

/**
 * A DPoP proof's jti is good once (RFC 9449 §11.1): oauth4webapi checks the rest of the proof, this
 * remembers ids for as long as it accepts a proof (its iat window, plus skew). One instance's memory:
 * several instances of an API would share this in Redis, as Keyward does.
 */
const seenProofs = new Map();
const PROOF_WINDOW_MS = 6 * 60_000;
function firstUse(jti) {
  const now = Date.now();
  for (const [id, at] of seenProofs) {
    if (now - at < PROOF_WINDOW_MS) break;
    seenProofs.delete(id);
  }
  if (seenProofs.has(jti)) return false;
  seenProofs.set(jti, now);
  return true;
}

/** A refusal: the challenge says which scheme and why (RFC 6750 §3, RFC 9449 §7.1). */
class Refused extends Error {
  constructor(challenge) {
    super(challenge);
    this.challenge = challenge;
  }
}

/**
 * What a request's token grants here, or a Refused: its scopes, and for a user's token that an app
 * got through Keyward's sign-in, when the user last signed in. A JWT is validated by oauth4webapi
 * (signature, issuer, audience, expiry; for a bound one, or any sent as DPoP, the proof: method,
 * URL, token hash, iat, and that its key is the one the token is bound to); anything else is a
 * personal token, asked of Keyward.
 */
async function grantOf(req) {
  const [scheme, token] = (req.headers.authorization ?? "").split(" ");
  if (!token || !/^(Bearer|DPoP)$/i.test(scheme)) throw new Refused('Bearer realm="orders"');
  const dpop = /^DPoP$/i.test(scheme);
  if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) {
    let bound = false;
    try {
      bound = Boolean(decodeJwt(token).cnf);
    } catch {
      // Not a JWT after all: validation below says so.
    }
    if (REQUIRE_DPOP && !bound) {
      throw new Refused(
        `DPoP algs="${DPOP_ALGS}", error="invalid_token", error_description="only DPoP-bound tokens"`,
      );
    }
    const request = new Request(new URL(req.url, publicUrl), { method: req.method, headers: req.headers });
    let claims;
    try {
      claims = await oauth.validateJwtAccessToken(as, request, AUDIENCE, {
        requireDPoP: REQUIRE_DPOP,
        ...(loopback ? { [oauth.allowInsecureRequests]: true } : {}),
      });
    } catch {
      throw new Refused(
        bound || dpop
          ? `DPoP algs="${DPOP_ALGS}", error="${bound && !dpop ? "invalid_token" : "invalid_dpop_proof"}"`
          : 'Bearer realm="orders", error="invalid_token"',
      );
    }
    if (dpop && !firstUse(decodeJwt(String(req.headers.dpop)).jti)) {
      throw new Refused(
        `DPoP algs="${DPOP_ALGS}", error="invalid_dpop_proof", error_description="proof replayed"`,
      );
    }
    return { scopes: String(claims.scope ?? "").split(" "), authTime: claims.auth_time, acr: claims.acr };
  }
  if (dpop || REQUIRE_DPOP) throw new Refused(`DPoP algs="${DPOP_ALGS}", error="invalid_token"`);
  const answer = await introspect(token);
  if (answer.active === true && answer.aud === AUDIENCE) return { scopes: String(answer.scope).split(" ") };
  throw new Refused('Bearer realm="orders", error="invalid_token"');
}

// RFC 9470: placing an order on a user's behalf needs a sign-in at most this many seconds old.
// Unset, any sign-in will do. Tokens of API clients and personal tokens name no sign-in.
const STEP_UP_MAX_AGE = env.STEP_UP_MAX_AGE ? Number(env.STEP_UP_MAX_AGE) : undefined;

const orders = [{ id: 1, item: "Coffee beans", quantity: 2 }];
const ROUTES = { "GET /orders": "orders.read", "POST /orders": "orders.write" };

function send(res, status, body, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

const server = http.createServer(async (req, res) => {
  const needed = ROUTES[`${req.method} ${new URL(req.url, "http://x").pathname}`];
  if (!needed) return send(res, 404, { error: "not_found" });
  let grant;
  try {
    grant = await grantOf(req);
  } catch (error) {
    if (error instanceof Refused) {
      return send(res, 401, { error: "unauthorized" }, { "www-authenticate": error.challenge });
    }
    console.error(`[orders-api] ${error.message}`);
    return send(res, 503, { error: "temporarily_unavailable" });
  }
  if (!grant.scopes.includes(needed)) {
    const challenge = `Bearer realm="orders", error="insufficient_scope", scope="${needed}"`;
    return send(res, 403, { error: "insufficient_scope" }, { "www-authenticate": challenge });
  }
  if (req.method === "GET") return send(res, 200, { orders });
  const age = Math.floor(Date.now() / 1000) - Number(grant.authTime);
  if (STEP_UP_MAX_AGE !== undefined && grant.authTime !== undefined && !(age <= STEP_UP_MAX_AGE)) {
    const challenge =
      `Bearer realm="orders", error="insufficient_user_authentication", ` +
      `error_description="Placing an order needs a recent sign-in", max_age=${STEP_UP_MAX_AGE}`;
    return send(res, 401, { error: "insufficient_user_authentication" }, { "www-authenticate": challenge });
  }
  const order = { id: orders.length + 1, item: "Tea", quantity: 1 };
  orders.push(order);
  return send(res, 201, order);
});

server.listen(Number(env.PORT ?? 4000), "127.0.0.1", () => {
  publicUrl ??= `http://127.0.0.1:${server.address().port}`;
  console.log(`[orders-api] listening on http://127.0.0.1:${server.address().port}`);
});
