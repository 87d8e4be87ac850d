import { z } from "zod";

import { SIGNING_ALG } from "./signing-keys.ts";

/**
 * The protected header of an access token presented to us, checked member by member BEFORE any key
 * lookup: what reaches the database (the `kid`) is a short string of a known charset, never a
 * number, an object or a megabyte (a header `"kid": 1` used to reach Prisma and fail inside it).
 */
export type AccessTokenHeader = { alg: typeof SIGNING_ALG; typ: string; kid: string };

/** Ours are RFC 7638 thumbprints (43 base64url characters); a little room for other formats. */
const KID = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/);

/**
 * Members that would make a verifier fetch or trust a key the token names itself (jku, x5u, x5c,
 * jwk), change what is signed (b64, RFC 7797) or demand extensions we do not implement (crit), or
 * belong to encrypted tokens (enc, zip): refused outright, whatever their value.
 */
const REFUSED = ["jku", "x5u", "x5c", "jwk", "crit", "b64", "enc", "zip"] as const;

/** Any other member is tolerated when small: a few, short-named, with a short scalar value. */
const MAX_OTHER_MEMBERS = 8;
const MAX_MEMBER_NAME = 32;
const smallValue = z.union([
  z
    .string()
    .max(256)
    .refine((text) => text.isWellFormed()),
  z.number(),
  z.boolean(),
]);

const headerSchema = z
  .object({
    alg: z.literal(SIGNING_ALG),
    // RFC 9068 §4: "at+jwt", or the full media type; we issue "at+jwt".
    typ: z.enum(["at+jwt", "application/at+jwt"]),
    kid: KID,
  })
  .catchall(smallValue)
  .superRefine((header, ctx) => {
    const names = Object.keys(header);
    if (REFUSED.some((name) => Object.hasOwn(header, name)))
      ctx.addIssue({ code: "custom", message: "refused" });
    if (names.length > 3 + MAX_OTHER_MEMBERS || names.some((name) => name.length > MAX_MEMBER_NAME)) {
      ctx.addIssue({ code: "custom", message: "too large" });
    }
  });

/** A header is at most this long in base64url (ours are about 140 characters). */
const MAX_HEADER_SEGMENT = 1024;
const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The validated header of a compact JWS, or null for anything else: not base64url, not UTF-8, not a
 * JSON object, or any member of the wrong type, size or value.
 */
export function accessTokenHeader(token: string): AccessTokenHeader | null {
  const dot = token.indexOf(".");
  const segment = dot < 0 ? "" : token.slice(0, dot);
  if (segment.length === 0 || segment.length > MAX_HEADER_SEGMENT || !/^[A-Za-z0-9_-]+$/.test(segment))
    return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(Buffer.from(segment, "base64url")));
  } catch {
    return null;
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) return null;
  const result = headerSchema.safeParse(parsed);
  return result.success ? { alg: result.data.alg, typ: result.data.typ, kid: result.data.kid } : null;
}
