import { Unauthenticated } from "../../errors/app-error.ts";
import { isHttps } from "../session-cookie.ts";
import { ATTEMPT_COOKIE, ATTEMPT_TTL_SECONDS } from "./attempts.ts";

/** The attempt's secret: httpOnly, only sent to the sign-in endpoints, gone after five minutes. */
export function attemptCookieHeader(token: string): string {
  const secure = isHttps() ? "; Secure" : "";
  return `${ATTEMPT_COOKIE}=${token}; Path=/api/auth; Max-Age=${ATTEMPT_TTL_SECONDS}; HttpOnly; SameSite=Lax${secure}`;
}

/** Binds a passwordless challenge to the browser that asked for it. */
export const PASSKEY_COOKIE = "kw_passkey";

export function passkeyCookieHeader(challengeId: string): string {
  const secure = isHttps() ? "; Secure" : "";
  return `${PASSKEY_COOKIE}=${challengeId}; Path=/api/auth/passkey; Max-Age=300; HttpOnly; SameSite=Strict${secure}`;
}

/** The attempt token from its cookie, or a clear 401. */
export function readAttemptToken(req: {
  cookies: { get(name: string): { value: string } | undefined };
}): string {
  const token = req.cookies.get(ATTEMPT_COOKIE)?.value;
  if (!token) throw Unauthenticated("Your sign-in has expired. Start again.");
  return token;
}
