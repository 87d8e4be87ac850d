import { decode, encode } from "next-auth/jwt";

import { getConfig } from "../config/env.ts";

/** Over HTTPS the cookie takes the __Secure- prefix, which browsers only accept with Secure set. */
export function sessionCookieName(): string {
  return isHttps() ? "__Secure-kw_session" : "kw_session";
}

export function isHttps(): boolean {
  return getConfig().publicUrl.protocol === "https:";
}

/** The session id inside a next-auth JWT cookie, or null when absent, forged or expired. */
export async function sessionIdFromToken(token: string | undefined): Promise<string | null> {
  if (!token) return null;
  try {
    const payload = await decode({ token, secret: getConfig().sessionSecret });
    return typeof payload?.sid === "string" ? payload.sid : null;
  } catch {
    return null;
  }
}

/** How long the browser keeps the cookie; the session row's own limits decide sooner. */
export const SESSION_COOKIE_MAX_AGE_SECONDS = 30 * 24 * 3600;

/**
 * A Set-Cookie header carrying a session id, for the one place that changes it outside next-auth:
 * re-authentication, which rotates the id. Same name, flags and encoding as next-auth's own.
 */
export async function sessionCookieHeader(userId: string, sessionId: string): Promise<string> {
  const value = await encode({
    token: { sub: userId, sid: sessionId },
    secret: getConfig().sessionSecret,
    maxAge: SESSION_COOKIE_MAX_AGE_SECONDS,
  });
  const secure = isHttps() ? "; Secure" : "";
  return `${sessionCookieName()}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${SESSION_COOKIE_MAX_AGE_SECONDS}${secure}`;
}
