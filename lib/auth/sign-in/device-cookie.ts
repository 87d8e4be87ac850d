import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from "node:crypto";

import { getConfig } from "../../config/env.ts";
import { sha256Hex } from "../../crypto/hash.ts";
import { isHttps } from "../session-cookie.ts";

/**
 * Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"): a browser that
 * has given an account's right password gets a signed cookie naming that account. Its sign-ins
 * count against a limit of their own, so an attacker who floods the account with wrong passwords
 * (and so exhausts the per-account limit) cannot keep its owner out of the browsers they use
 * (ASVS 6.1.1, 6.3.1). The cookie is no credential: the password and second factor are still asked.
 */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 365 * 24 * 3600;

export function deviceCookieName(): string {
  return isHttps() ? "__Secure-kw_device" : "kw_device";
}

let keyCache: { secret: string; key: Buffer } | undefined;

function signingKey(): Buffer {
  const secret = getConfig().sessionSecret;
  if (keyCache?.secret !== secret) {
    const key = Buffer.from(hkdfSync("sha256", secret, "", "keyward device cookie", 32));
    keyCache = { secret, key };
  }
  return keyCache.key;
}

const sign = (payload: string) => createHmac("sha256", signingKey()).update(payload).digest("base64url");

/**
 * The account and its current password hash, by a hash: the cookie does not show whose browser it
 * is, and a new password voids it.
 */
const accountTag = (email: string, passwordHash: string) =>
  sha256Hex(`device:${email}:${passwordHash}`).slice(0, 32);

export function issueDeviceToken(
  email: string,
  passwordHash: string,
  deviceId = randomBytes(16).toString("base64url"),
): string {
  const payload = `${deviceId}.${accountTag(email, passwordHash)}.${Math.floor(Date.now() / 1000)}`;
  return `${payload}.${sign(payload)}`;
}

/** The device id when the token is ours, for this account and not too old; otherwise null. */
export function deviceIdFor(
  token: string | undefined,
  email: string,
  passwordHash: string,
  now = Date.now(),
): string | null {
  if (!token || token.length > 200) return null;
  const parts = token.split(".");
  if (parts.length !== 4) return null;
  const [deviceId, tag, issued, signature] = parts as [string, string, string, string];
  const expected = Buffer.from(sign(`${deviceId}.${tag}.${issued}`));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  if (tag !== accountTag(email, passwordHash)) return null;
  const age = now / 1000 - Number(issued);
  if (!Number.isFinite(age) || age < 0 || age > DEVICE_COOKIE_MAX_AGE_SECONDS) return null;
  return deviceId;
}

export function deviceCookieHeader(token: string): string {
  const secure = isHttps() ? "; Secure" : "";
  return `${deviceCookieName()}=${token}; Path=/api/auth/sign-in; Max-Age=${DEVICE_COOKIE_MAX_AGE_SECONDS}; HttpOnly; SameSite=Strict${secure}`;
}
