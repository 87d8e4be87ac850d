import type { UserPrincipal } from "./principal.ts";
import { sessionCookieName, sessionIdFromToken } from "./session-cookie.ts";
import { resolveSession } from "./sessions.ts";

type CookieSource = { get(name: string): { value: string } | undefined };

/**
 * The one resolver used by route handlers and pages: JWT cookie -> session row -> principal.
 * Bearer credentials (API tokens, client JWTs) join here when they exist.
 */
export async function resolvePrincipal(cookies: CookieSource): Promise<UserPrincipal | null> {
  const sessionId = await sessionIdFromToken(cookies.get(sessionCookieName())?.value);
  return sessionId ? resolveSession(sessionId) : null;
}
