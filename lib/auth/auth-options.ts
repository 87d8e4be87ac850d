import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { headers } from "next/headers";

import { getConfig } from "../config/env.ts";
import { safeCallbackUrl } from "../http/callback-url.ts";
import { requestContext } from "../http/request-context.ts";
import { isHttps, SESSION_COOKIE_MAX_AGE_SECONDS, sessionCookieName } from "./session-cookie.ts";
import { endAppSessions } from "../oidc/sso-logout.ts";
import { signOutSession } from "./sign-out.ts";
import { ATTEMPT_COOKIE } from "./sign-in/attempts.ts";
import { completeSignIn } from "./sign-in/complete-sign-in.ts";

/** next-auth's JWT lives as long as the longest session; the session row decides sooner ends. */

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? "").split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

/**
 * next-auth issues and clears the session cookie; it never decides who signed in. The only provider
 * exchanges a finished server-side sign-in attempt (lib/auth/sign-in) for a session row whose id
 * travels in the JWT, so that every session can be listed and revoked.
 */
export function authOptions(): NextAuthOptions {
  const config = getConfig();
  return {
    secret: config.sessionSecret,
    session: { strategy: "jwt", maxAge: SESSION_COOKIE_MAX_AGE_SECONDS },
    pages: { signIn: "/login", error: "/login" },
    useSecureCookies: isHttps(),
    cookies: {
      sessionToken: {
        name: sessionCookieName(),
        options: { httpOnly: true, sameSite: "lax", path: "/", secure: isHttps() },
      },
    },
    providers: [
      CredentialsProvider({
        id: "attempt",
        name: "Keyward sign-in",
        credentials: {},
        async authorize(_credentials, req) {
          const headers = (req.headers ?? {}) as Record<string, string | undefined>;
          const attemptToken = cookieValue(headers.cookie, ATTEMPT_COOKIE);
          if (!attemptToken) return null;
          const context = requestContext({ get: (name) => headers[name] ?? null });
          try {
            const { userId, sessionId } = await completeSignIn({ attemptToken, context });
            return { id: userId, sid: sessionId };
          } catch {
            return null;
          }
        },
      }),
    ],
    callbacks: {
      // Every URL next-auth would send the browser to (callbackUrl of sign-in and sign-out) goes
      // through the same check as the login page: a page of KEYWARD_URL, else the home page, which
      // sends the user to their landing page.
      redirect({ url }) {
        return new URL(safeCallbackUrl(url, config.publicUrl), config.publicUrl.origin).href;
      },
      jwt({ token, user }) {
        if (user && "sid" in user) token.sid = user.sid;
        return token;
      },
      // The browser learns nothing from /api/auth/session but that it is signed in.
      session({ session }) {
        return { expires: session.expires };
      },
    },
    events: {
      async signOut({ token }) {
        const sessionId = typeof token?.sid === "string" ? token.sid : undefined;
        if (!sessionId) return;
        const context = requestContext(await headers());
        if (await signOutSession(sessionId, context)) await endAppSessions(sessionId);
      },
    },
  };
}
