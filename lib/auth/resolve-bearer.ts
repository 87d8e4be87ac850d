import { BUILT_IN_API_ID } from "../apis/built-in-api.ts";
import { getConfig } from "../config/env.ts";
import { noteClientUse } from "../credentials/last-used.ts";
import { ownerMustEnrollMfa } from "../credentials/owner-standing.ts";
import { AppError, EnrollmentRequired } from "../errors/app-error.ts";
import { clientPrincipal, verifyAccessToken } from "../oauth/verify-access-token.ts";
import { verifyPersonalToken } from "../tokens/verify-token.ts";
import { accountableUserId, type ClientPrincipal, type TokenPrincipal } from "./principal.ts";

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
 * errors; a request that sends a header is never answered from a cookie instead. A credential
 * whose owner must still enroll a required second factor is refused with the enrollment problem,
 * as their session would be: required MFA is not sidestepped with a token minted earlier.
 */
export async function resolveBearer(header: string, ip: string): Promise<TokenPrincipal | ClientPrincipal> {
  const principal = await verifiedBearer(header, ip);
  if (await ownerMustEnrollMfa(accountableUserId(principal))) throw EnrollmentRequired();
  return principal;
}

async function verifiedBearer(header: string, ip: string): Promise<TokenPrincipal | ClientPrincipal> {
  const token = BEARER.exec(header)?.[1];
  if (!token) throw invalidRequest();
  if (token.startsWith("kw_pat_")) {
    const principal = await verifyPersonalToken(token, { ip });
    if (!principal) throw invalidToken();
    return principal;
  }
  const state = await verifyAccessToken(token, { audience: getConfig().apiAudience });
  if (!state?.usable) throw invalidToken();
  noteClientUse(state.clientId, BUILT_IN_API_ID);
  return clientPrincipal(state);
}
