/**
 * A request's URL as the access log may keep it: the path, and of the query string only the names
 * of its parameters, with values for a few known to be harmless (page size, cursor, a list's
 * filter). Everything else, `code`, `state`, `login_hint`, `id_token_hint`, `token`, a callback
 * URL that may carry its own query, is a name without its value. An allow-list, not a deny-list:
 * a parameter added tomorrow is redacted until someone decides otherwise.
 *
 * Credentials have no business in a path, but clients do put them there by mistake: a personal
 * token, a client secret or a JWT in the path is masked too.
 */
export const LOGGED_VALUES: ReadonlySet<string> = new Set([
  "limit",
  "cursor",
  "sort",
  "order",
  "status",
  "kind",
  "risk",
  "role",
  "reason",
  "required",
  "created",
  "held",
  "tab",
  "response_type",
  "response_mode",
  "prompt",
  "error",
]);

export const REDACTED = "[redacted]";

const MAX_PATH = 512;
const MAX_PARAMS = 20;
const MAX_NAME = 64;
const MAX_VALUE = 128;
/** kw_pat_…, kw_cs_… (lib/crypto/secret-token.ts) and anything shaped like a JWS. */
const CREDENTIAL_SHAPES = /kw_[a-z]{2,4}_[A-Za-z0-9]+|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*)?/g;

export function loggableUrl(url: string): string {
  const mark = url.indexOf("?");
  const rawPath = mark === -1 ? url : url.slice(0, mark);
  const path = clip(rawPath.replace(CREDENTIAL_SHAPES, REDACTED), MAX_PATH);
  if (mark === -1) return path;
  const params: string[] = [];
  const pairs = url.slice(mark + 1).split("&");
  for (const pair of pairs.slice(0, MAX_PARAMS)) {
    if (!pair) continue;
    const equals = pair.indexOf("=");
    const rawName = equals === -1 ? pair : pair.slice(0, equals);
    const name = clip(decoded(rawName), MAX_NAME).replace(CREDENTIAL_SHAPES, REDACTED);
    if (equals === -1) params.push(encodeURIComponent(name));
    else if (LOGGED_VALUES.has(name)) {
      const value = clip(decoded(pair.slice(equals + 1)), MAX_VALUE).replace(CREDENTIAL_SHAPES, REDACTED);
      params.push(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
    } else params.push(`${encodeURIComponent(name)}=${REDACTED}`);
  }
  if (pairs.length > MAX_PARAMS) params.push("…");
  return params.length > 0 ? `${path}?${params.join("&")}` : path;
}

/** As URLSearchParams reads it; a malformed escape stays as sent. */
function decoded(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, " "));
  } catch {
    return text;
  }
}

/** Clipped, and well-formed (a surrogate pair cut in two would make encodeURIComponent throw). */
function clip(text: string, max: number): string {
  return (text.length > max ? `${text.slice(0, max)}…` : text).toWellFormed();
}
