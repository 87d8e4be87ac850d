import { createHmac, hkdfSync } from "node:crypto";

import { getConfig } from "../config/env.ts";
import { constantTimeEqual } from "../crypto/hash.ts";

/**
 * Server-provided nonces (RFC 9449 §8) for Keyward's token endpoint: a proof must carry one Keyward
 * gave out recently, so a proof made ahead of time (by malware on the client, say) expires with it.
 * Stateless: an HMAC of the current five-minute window under a key derived from the session
 * secret, so every instance makes and accepts the same nonces without storing any; the previous
 * window's is accepted too, so one handed out just before a boundary still works.
 */
const WINDOW_SECONDS = 300;

function nonceKey(): Buffer {
  return Buffer.from(hkdfSync("sha256", getConfig().sessionSecret, "", "keyward dpop nonce", 32));
}

function nonceFor(window: number): string {
  return createHmac("sha256", nonceKey()).update(`dpop-nonce:${window}`).digest("base64url");
}

export function currentDpopNonce(nowSeconds = Math.floor(Date.now() / 1000)): string {
  return nonceFor(Math.floor(nowSeconds / WINDOW_SECONDS));
}

export function isFreshDpopNonce(
  nonce: string | undefined,
  nowSeconds = Math.floor(Date.now() / 1000),
): boolean {
  if (!nonce) return false;
  const window = Math.floor(nowSeconds / WINDOW_SECONDS);
  return constantTimeEqual(nonce, nonceFor(window)) || constantTimeEqual(nonce, nonceFor(window - 1));
}
