import { getConfig } from "../config/env.ts";
import { AppError } from "../errors/app-error.ts";
import { clientPrincipal, verifyAccessToken } from "../oauth/verify-access-token.ts";
import { verifyPersonalToken } from "../tokens/verify-token.ts";
import type { ClientPrincipal, TokenPrincipal } from "./principal.ts";

/** RFC 6750 §2.1: `Bearer` and a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

const invalidRequest = () =>
  new AppError("invalid", "The Authorization header must be `Bearer <token>`.", {
    challenge: 'Bearer realm="keyward", error="invalid_request"',
  });

const invalidToken = () =>
  new AppError("unauthenticated", "The access token is invalid, expired or revoked.", {
    challenge: 'Bearer realm="keyward", error="invalid_token"',
  });

/**
 * The principal behind an Authorization header: a personal token (kw_pat_…) or a client access
 * token (a JWT issued by us, for our API's audience). Anything else is refused with RFC 6750's
 * errors; a request that sends a header is never answered from a cookie instead.
 */
export async function resolveBearer(header: string, ip: string): Promise<TokenPrincipal | ClientPrincipal> {
  const token = BEARER.exec(header)?.[1];
  if (!token) throw invalidRequest();
  if (token.startsWith("kw_pat_")) {
    const principal = await verifyPersonalToken(token, { ip });
    if (!principal) throw invalidToken();
    return principal;
  }
  const state = await verifyAccessToken(token, { audience: getConfig().apiAudience });
  if (!state?.usable) throw invalidToken();
  return clientPrincipal(state);
}
