// Browser-facing protections applied by scripts/server.js to every request, before Next.js sees it.
// Plain JavaScript: server.js runs with `node` alone.

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * No request body Keyward accepts comes near this; each handler has a tighter limit of its own
 * (JSON 64 KB, OAuth forms 16 KB, server actions 128 KB). This one stops a declared giant at the door.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** @param {string | undefined} contentLength */
export function bodyTooLarge(contentLength) {
  return contentLength !== undefined && Number(contentLength) > MAX_BODY_BYTES;
}

/**
 * A body streamed without a length (chunked) would escape the cap above, and some readers
 * (next-auth's) take whatever comes. Browsers and HTTP clients send a length for the bodies Keyward
 * takes, so a chunked body is refused (411) rather than read without a bound.
 * @param {Record<string, string | string[] | undefined>} headers
 */
export function lengthRequired(headers) {
  return headers["transfer-encoding"] !== undefined && headers["content-length"] === undefined;
}

/**
 * The Content-Security-Policy of every response. Scripts run only with this response's nonce
 * (Next.js reads it from the request's CSP header and puts it on every script it renders), and
 * 'strict-dynamic' lets those scripts load the app's chunks. Development adds what React's dev
 * tools and hot reloading need.
 * @param {string} nonce base64, fresh per request
 * @param {{ dev: boolean }} options
 */
export function contentSecurityPolicy(nonce, { dev }) {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    // Apps' logos (https only, as registered) on the consent screen and under Connected apps:
    // images run no code, and each <img> sends no referrer.
    "img-src 'self' data: https:",
    "font-src 'self'",
    `connect-src 'self'${dev ? " ws: wss:" : ""}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

/**
 * CSRF defence for every state-changing request, whatever handles it (route handlers, server
 * actions, next-auth): a browser says where a request comes from (Sec-Fetch-Site, Origin), and
 * only our own origin may change anything. Requests that carry no ambient credential are exempt:
 * a bearer token is never sent by a browser on its own, and the OAuth endpoints authenticate the
 * client in the request itself. A request with neither
 * header is not from a browser (curl, a service), so no browser can be tricked into sending it.
 * @param {{ method: string; path: string; headers: Record<string, string | string[] | undefined> }} req
 * @param {ReadonlySet<string>} allowedOrigins
 * @returns {string | null} why the request is refused, or null
 */
/**
 * The endpoints meant to be called from anywhere: OAuth clients post to them with their own
 * credentials in the request (RFC 6749 §2.3), never a cookie, or an app's page posts a request
 * Keyward's pages then answer. Listed one by one (ADR 0012): a
 * prefix would also exempt what the OpenID provider will add under it for browsers, such as
 * consent and sign-out confirmations, which must stay same-origin. Matched exactly, without a
 * trailing slash, in lower case as the router matches.
 */
export const CROSS_SITE_ENDPOINTS = new Set([
  "/api/oauth/token",
  "/api/oauth/introspect",
  "/api/oauth/revoke",
  // The OpenID provider's UserInfo carries its access token in the request (OpenID Connect Core
  // §5.3.1). Its authorization and logout requests are GETs (the library's POST forms are off).
  "/oidc/me",
]);

export function crossSiteRefusal(req, allowedOrigins) {
  if (SAFE_METHODS.has(req.method.toUpperCase())) return null;
  // Only a bearer credential (Bearer, or DPoP: RFC 9449 §7.1): browsers attach Basic, Digest or
  // Negotiate on their own (to a proxy in front), never these, and a page cannot add one
  // cross-site without a CORS preflight.
  if (/^(Bearer|DPoP)\s/i.test(String(req.headers.authorization ?? ""))) return null;
  if (CROSS_SITE_ENDPOINTS.has(req.path.toLowerCase().replace(/\/+$/, ""))) return null;
  const site = req.headers["sec-fetch-site"];
  if (typeof site === "string" && site !== "same-origin" && site !== "none") {
    return `This ${site} request was refused: changes can only be made from Keyward's own pages.`;
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !allowedOrigins.has(String(origin))) {
    return "A request from another origin was refused: changes can only be made from Keyward's own pages.";
  }
  return null;
}

/** Longer URLs than any Keyward builds are refused (414) rather than passed to the router. */
export const MAX_URL_LENGTH = 4 * 1024;

/**
 * No API route takes multipart bodies, and a multipart form without Next.js's action header is a
 * no-JavaScript form submission, which Keyward does not serve (its pages need JavaScript). Next.js
 * would try to parse such a body as a server action and fail with a 500 when it is malformed.
 * @param {{ method: string; headers: Record<string, string | string[] | undefined> }} req
 */
export function unsupportedMultipart(req) {
  if (req.method.toUpperCase() === "GET" || req.method.toUpperCase() === "HEAD") return false;
  const type = String(req.headers["content-type"] ?? "").toLowerCase();
  return type.startsWith("multipart/form-data") && req.headers["next-action"] === undefined;
}

/**
 * Whether the path has a malformed percent-escape ("%", "%E0%A4%A"): the router would fail to
 * decode it and answer 500, so it is refused with 400 first.
 * @param {string} path
 */
export function malformedPath(path) {
  try {
    decodeURIComponent(path);
    return false;
  } catch {
    return true;
  }
}

/**
 * RFC 9457 body for a request refused at the door, the same shape as lib/http/problem.ts.
 * @param {"forbidden" | "payload_too_large" | "invalid" | "uri_too_long" | "unsupported_media_type" | "length_required"} code
 * @param {string} detail
 * @param {string} requestId
 */
export function problemBody(code, detail, requestId) {
  const [title, status] = {
    forbidden: ["Forbidden", 403],
    payload_too_large: ["Payload too large", 413],
    invalid: ["Invalid request", 400],
    uri_too_long: ["URI too long", 414],
    unsupported_media_type: ["Unsupported media type", 415],
    length_required: ["Length required", 411],
  }[code];
  return JSON.stringify({
    type: `urn:keyward:problem:${code}`,
    title,
    status,
    detail,
    instance: `urn:request:${requestId}`,
  });
}
