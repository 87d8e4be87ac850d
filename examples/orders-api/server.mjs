// An example resource server for Keyward (issue 14 §6): it verifies client JWTs itself with jose
// and asks Keyward about personal tokens by introspection (RFC 7662), then enforces its own scopes.
import { createHash } from "node:crypto";
import http from "node:http";

import { createRemoteJWKSet, jwtVerify } from "jose";

const env = process.env;
const { ISSUER, AUDIENCE, INTROSPECTION_URL, RS_CLIENT_ID, RS_CLIENT_SECRET } = env;
const jwks = createRemoteJWKSet(new URL(env.JWKS_URL));
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
 * What a bearer token grants here, or null when it is not a token for this API: its scopes, and
 * for a user's token that an app got through Keyward's sign-in, when the user last signed in.
 */
async function grantOf(token) {
  if (/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) {
    try {
      const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: AUDIENCE, typ: "at+jwt" });
      return {
        scopes: String(payload.scope ?? "").split(" "),
        authTime: payload.auth_time,
        acr: payload.acr,
      };
    } catch {
      return null;
    }
  }
  const answer = await introspect(token);
  return answer.active === true && answer.aud === AUDIENCE
    ? { scopes: String(answer.scope).split(" ") }
    : null;
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
  const token = /^Bearer (\S+)$/i.exec(req.headers.authorization ?? "")?.[1];
  if (!token)
    return send(res, 401, { error: "unauthorized" }, { "www-authenticate": 'Bearer realm="orders"' });
  let grant;
  try {
    grant = await grantOf(token);
  } catch (error) {
    console.error(`[orders-api] ${error.message}`);
    return send(res, 503, { error: "temporarily_unavailable" });
  }
  if (!grant) {
    const challenge = 'Bearer realm="orders", error="invalid_token"';
    return send(res, 401, { error: "invalid_token" }, { "www-authenticate": challenge });
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
  console.log(`[orders-api] listening on http://127.0.0.1:${server.address().port}`);
});
