/**
 * Where the browser goes after signing in: only ever a page of this Keyward (no open redirect).
 * Pure (no server imports): the login page, next-auth's redirect callback and the login form's
 * `router.replace` all call this one function, the server with KEYWARD_URL, the browser with its
 * own origin.
 *
 * The default is the home page, which sends each user to their landing page (landingPath in
 * lib/policy/navigation.ts): the one rule for where a sign-in with no page asked for ends up.
 */
export const DEFAULT_CALLBACK = "/";

const MAX_LENGTH = 2048;
/**
 * Printable ASCII without the backslash. Browsers drop tab, CR and LF inside URLs and read "\" as
 * "/", so "/\t/evil.example" and "/\evil.example" both mean "//evil.example"; anything else a real
 * path needs arrives percent-encoded.
 */
const PLAIN = /^[\x21-\x5b\x5d-\x7e]+$/;
/** In a decoded form: controls (C0, DEL, C1), format characters (bidi, BOM…), U+2028/9, "\". */
const HOSTILE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\\]/u;
/** Percent-decodings checked: more layers than this is not a path anyone links to. */
const MAX_DECODINGS = 4;
/** Without KEYWARD_URL to compare with, only paths are kept (this origin matches no real value). */
const NO_ORIGIN = "http://keyward.invalid";

/** The same-origin path + query + fragment `value` resolves to against `base`, or null. */
function resolvedPath(value: string, base: URL): string | null {
  let url: URL;
  try {
    url = new URL(value, base);
  } catch {
    return null;
  }
  if (url.origin !== base.origin || url.username || url.password) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // "/.//evil.example" resolves to the path "//evil.example": a protocol-relative URL once returned.
  return path.startsWith("/") && !path.startsWith("//") ? path : null;
}

/**
 * `value` (a callbackUrl from a link) as a path of `origin`, else DEFAULT_CALLBACK. Kept: a path
 * ("/users?page=2") or an absolute URL of exactly this origin (next-auth's client sends those),
 * returned as path + query + fragment. Refused: another origin or scheme, "//" and "\" tricks, any
 * control or invisible character, raw or percent-encoded (every decoding must be as harmless, so
 * "%2509" and "%252F" are caught too), malformed percent-encoding, and anything over 2 KiB.
 */
export function safeCallbackUrl(value: unknown, origin: string | URL = NO_ORIGIN): string {
  if (typeof value !== "string" || value.length > MAX_LENGTH || !PLAIN.test(value)) return DEFAULT_CALLBACK;
  let base: URL;
  try {
    base = new URL(new URL(origin).origin);
  } catch {
    return DEFAULT_CALLBACK;
  }
  const isPath = value.startsWith("/") && !value.startsWith("//");
  const isOwnUrl = value === base.origin || value.startsWith(`${base.origin}/`);
  if (!isPath && !isOwnUrl) return DEFAULT_CALLBACK;
  let layer = value;
  for (let decodings = 0; ; decodings++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(layer);
    } catch {
      // The value itself must be well-formed; a deeper layer that is not cannot be decoded further.
      if (decodings === 0) return DEFAULT_CALLBACK;
      break;
    }
    if (decoded === layer) break;
    if (decodings >= MAX_DECODINGS || HOSTILE.test(decoded) || resolvedPath(decoded, base) === null)
      return DEFAULT_CALLBACK;
    layer = decoded;
  }
  return resolvedPath(value, base) ?? DEFAULT_CALLBACK;
}
