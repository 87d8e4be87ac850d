import { decode } from "next-auth/jwt";

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
