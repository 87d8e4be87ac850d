import { createHash, type KeyObject } from "node:crypto";

import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  errors as joseErrors,
  jwtVerify,
} from "jose";
import { z } from "zod";

/**
 * DPoP proofs (RFC 9449 §4): a JWT the client signs with its own key for one HTTP request. Checked
 * per §4.3: one well-formed `DPoP` header; typed `dpop+jwt`; an asymmetric algorithm of ours; a
 * public key in `jwk` (never a private or symmetric one: refused as jose's EmbeddedJWK does) that
 * verifies the signature; `htm` and `htu` naming this request; `iat` within the window; `ath`
 * the hash of the access token presented with it; a `jti` (checked for replay by the caller).
 * What a proof proves is its key's thumbprint (RFC 7638), `jkt`, which a bound token carries as
 * `cnf.jkt` (§6).
 */
export const DPOP_ALGS = ["ES256", "ES384", "PS256", "RS256", "EdDSA", "Ed25519"] as const;

/** RFC 9449 §7.1: the challenge saying Keyward takes DPoP, and with which algorithms. */
export const DPOP_CHALLENGE = `DPoP algs="${DPOP_ALGS.join(" ")}"`;

/** How old a proof may be; and how far ahead of our clock its `iat` may run. */
export const PROOF_MAX_AGE_SECONDS = 300;
export const PROOF_MAX_SKEW_SECONDS = 60;

/** Long enough for any proof this checker accepts, short enough to stay in memory. */
export const PROOF_REPLAY_WINDOW_SECONDS = PROOF_MAX_AGE_SECONDS + PROOF_MAX_SKEW_SECONDS;

const MAX_PROOF_LENGTH = 8192;

export class DpopProofError extends Error {
  override name = "DpopProofError";
}

const claimsSchema = z.object({
  jti: z.string().min(1).max(256),
  htm: z.string().min(1).max(16),
  htu: z.string().min(1).max(2048),
  iat: z.number().int(),
  ath: z.string().max(128).optional(),
  nonce: z.string().max(512).optional(),
});

export type VerifiedProof = { jkt: string; jti: string; iat: number; nonce: string | undefined };

type KnownKey = { key: CryptoKey | KeyObject; jkt: string };

/**
 * A proof's key, imported once: a client signs every request with the same key, and importing a
 * JWK costs about as much as the signature check itself. Keyed by the exact JWK and algorithm, so a
 * different member is a different key; EmbeddedJWK's rule kept (a public key only).
 */
const KEYS_KEPT = 10_000;
const store = globalThis as typeof globalThis & { __keywardDpopKeys?: Map<string, KnownKey> };

async function publicKeyOf(jwk: JWK, alg: string): Promise<KnownKey> {
  const keys = (store.__keywardDpopKeys ??= new Map());
  const id = `${alg} ${JSON.stringify(jwk)}`;
  const hit = keys.get(id);
  if (hit) return hit;
  const key = await importJWK({ ...jwk, ext: true }, alg);
  if (key instanceof Uint8Array || key.type !== "public") {
    throw new joseErrors.JWSInvalid('"jwk" (JSON Web Key) Header Parameter must be a public key');
  }
  const known = { key, jkt: await calculateJwkThumbprint(jwk, "sha256") };
  if (keys.size >= KEYS_KEPT) keys.delete(keys.keys().next().value ?? "");
  keys.set(id, known);
  return known;
}

/** RFC 9449 §4.3 step 9: a URI compared without its query and fragment, normalized by WHATWG URL. */
export function htuOf(uri: string): string | null {
  try {
    const url = new URL(uri);
    if (url.protocol !== "https:" && url.protocol !== "http:") return null;
    return `${url.origin}${url.pathname}`;
  } catch {
    return null;
  }
}

/** `ath` (§4.2): base64url SHA-256 of the access token's ASCII. */
export function accessTokenHash(token: string): string {
  return createHash("sha256").update(token, "ascii").digest("base64url");
}

/**
 * Verifies the `DPoP` header of a request to `method` `uri`; with `accessToken`, the proof must
 * carry its hash. Returns the key's thumbprint and the proof's id, or throws DpopProofError with a
 * reason fit for the caller (never the proof or the token).
 */
export async function verifyDpopProof(input: {
  header: string | null;
  method: string;
  uri: string;
  accessToken?: string;
  nowSeconds?: number;
}): Promise<VerifiedProof> {
  const proof = input.header;
  if (!proof) throw new DpopProofError("A DPoP proof is required: send one in the DPoP header.");
  // Several DPoP headers arrive joined by ", ", which no compact JWS contains.
  if (proof.length > MAX_PROOF_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(proof)) {
    throw new DpopProofError("The DPoP header must hold exactly one proof, a compact JWS.");
  }
  let header;
  try {
    header = decodeProtectedHeader(proof);
  } catch {
    throw new DpopProofError("The DPoP proof's header is not valid JSON.");
  }
  if (header.typ !== "dpop+jwt") throw new DpopProofError('The DPoP proof\'s typ must be "dpop+jwt".');
  if (typeof header.alg !== "string" || !(DPOP_ALGS as readonly string[]).includes(header.alg)) {
    throw new DpopProofError(`The DPoP proof's alg must be one of ${DPOP_ALGS.join(", ")}.`);
  }
  if (!header.jwk || typeof header.jwk !== "object" || "d" in header.jwk || "k" in header.jwk) {
    throw new DpopProofError("The DPoP proof's jwk must be a public key.");
  }
  let payload;
  let known: KnownKey;
  try {
    known = await publicKeyOf(header.jwk, header.alg);
    ({ payload } = await jwtVerify(proof, known.key, {
      typ: "dpop+jwt",
      algorithms: [...DPOP_ALGS],
    }));
  } catch (error) {
    // jose's own claim messages name the claim, never its value.
    if (error instanceof joseErrors.JWTClaimValidationFailed || error instanceof joseErrors.JWTInvalid) {
      throw new DpopProofError(`The DPoP proof's claims are not valid: ${error.message}.`);
    }
    if (error instanceof joseErrors.JOSEError || error instanceof TypeError) {
      throw new DpopProofError("The DPoP proof's signature does not verify with its jwk.");
    }
    throw error;
  }
  const claims = claimsSchema.safeParse(payload);
  if (!claims.success) {
    throw new DpopProofError("The DPoP proof must carry jti, htm, htu and a numeric iat.");
  }
  const { htm, htu, iat, ath, jti, nonce } = claims.data;
  if (htm !== input.method.toUpperCase())
    throw new DpopProofError("The DPoP proof's htm is not this request's method.");
  const expected = htuOf(input.uri);
  if (!expected || htuOf(htu) !== expected)
    throw new DpopProofError("The DPoP proof's htu is not this request's URL.");
  const now = input.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (iat < now - PROOF_MAX_AGE_SECONDS || iat > now + PROOF_MAX_SKEW_SECONDS) {
    throw new DpopProofError("The DPoP proof's iat is outside the accepted window: make a fresh proof.");
  }
  if (input.accessToken !== undefined && ath !== accessTokenHash(input.accessToken)) {
    throw new DpopProofError("The DPoP proof's ath is not the hash of this access token.");
  }
  return { jkt: known.jkt, jti, iat, nonce };
}
