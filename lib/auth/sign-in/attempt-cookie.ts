import { isHttps } from "../session-cookie.ts";
import { ATTEMPT_COOKIE, ATTEMPT_TTL_SECONDS } from "./attempts.ts";

/** The attempt's secret: httpOnly, only sent to the sign-in endpoints, gone after five minutes. */
export function attemptCookieHeader(token: string): string {
  const secure = isHttps() ? "; Secure" : "";
  return `${ATTEMPT_COOKIE}=${token}; Path=/api/auth; Max-Age=${ATTEMPT_TTL_SECONDS}; HttpOnly; SameSite=Lax${secure}`;
}
