import { hkdfSync, timingSafeEqual } from "node:crypto";

import { getConfig } from "../config/env.ts";

/**
 * Server-provided nonces (RFC 9449 §8) at the token endpoint: a proof must carry one handed out
 * recently, so a proof made ahead of time (by malware on the client, say) expires with it.
 * Stateless and the same as oidc-provider's (lib/helpers/challenge.js, given this secret as
 * `features.dPoP.nonceSecret`): HKDF of a one-minute step, the next step's value handed out and
 * steps −2 to +2 accepted. So every instance agrees without storing anything, and a nonce from a
 * client-credentials answer works for a refresh at the same URL, and the reverse: one
 * authorization server to the client.
 */
const STEP_SECONDS = 60;
const INFO = "DPoP";

/** The nonce key: derived from the session secret, so every instance holds the same one. */
export function dpopNonceSecret(): Buffer {
  return Buffer.from(hkdfSync("sha256", getConfig().sessionSecret, "", "keyward dpop nonce", 32));
}

function nonceAt(secret: Buffer, step: number): string {
  const salt = Buffer.alloc(8);
  salt.writeBigUInt64BE(BigInt(step));
  return Buffer.from(hkdfSync("sha256", secret, salt, INFO, 32)).toString("base64url");
}

const stepOf = (nowSeconds: number) => Math.floor(nowSeconds / STEP_SECONDS);

export function currentDpopNonce(nowSeconds = Math.floor(Date.now() / 1000)): string {
  return nonceAt(dpopNonceSecret(), stepOf(nowSeconds) + 1);
}

export function isFreshDpopNonce(
  nonce: string | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (!nonce) return false;
  const secret = dpopNonceSecret();
  const presented = Buffer.from(nonce);
  let matched = false;
  for (let offset = -2; offset <= 2; offset++) {
    const expected = Buffer.from(nonceAt(secret, stepOf(nowSeconds) + offset));
    // Every candidate compared, in constant time: the nonce is not a secret, but nothing is lost.
    if (expected.length === presented.length && timingSafeEqual(expected, presented)) matched = true;
  }
  return matched;
}
