import { BUILT_IN_API_ID } from "../apis/built-in-api.ts";
import { getConfig } from "../config/env.ts";
import { noteClientUse } from "../credentials/last-used.ts";
import { ownerMustEnrollMfa } from "../credentials/owner-standing.ts";
import { checkDpopProof } from "../dpop/check.ts";
import { DPOP_CHALLENGE, DpopProofError } from "../dpop/proof.ts";
import { AppError, EnrollmentRequired } from "../errors/app-error.ts";
import { clientPrincipal, verifyAccessToken } from "../oauth/verify-access-token.ts";
import { verifyPersonalToken } from "../tokens/verify-token.ts";
import { accountableUserId, type ClientPrincipal, type TokenPrincipal } from "./principal.ts";

/** RFC 6750 §2.1 and RFC 9449 §7.1: `Bearer` or `DPoP`, and a b64token. */
const CREDENTIAL = /^(Bearer|DPoP) +([A-Za-z0-9\-._~+/]+=*) *$/i;

const invalidRequest = () =>
  new AppError("invalid", "The Authorization header must be `Bearer <token>` or `DPoP <token>`.", {
    challenge: `Bearer realm="keyward", error="invalid_request", ${DPOP_CHALLENGE}`,
  });

const invalidToken = () =>
  new AppError("unauthenticated", "The access token is invalid, expired or revoked.", {
    challenge: 'Bearer realm="keyward", error="invalid_token"',
  });

/** RFC 9449 §7.1: a DPoP challenge, with an error for the case at hand. */
const dpopRefusal = (error: "invalid_dpop_proof" | "invalid_token", message: string) =>
  new AppError("unauthenticated", message, {
    challenge: `${DPOP_CHALLENGE}, error="${error}"`,
  });

/** What a request carries besides its Authorization header, for a DPoP proof (RFC 9449 §4.3). */
export type ProofContext = { proof: string | null; method: string; url: string };

/**
 * The principal behind an Authorization header: a personal token (kw_pat_…) or a client access
 * token (a JWT issued by us, for our API's audience). Anything else is refused with RFC 6750's
 * errors; a request that sends a header is never answered from a cookie instead. A credential
 * whose owner must still enroll a required second factor is refused with the enrollment problem,
 * as their session would be: required MFA is not sidestepped with a token minted earlier.
 */
export async function resolveBearer(
  header: string,
  ip: string,
  request?: ProofContext,
): Promise<TokenPrincipal | ClientPrincipal> {
  const principal = await verifiedBearer(header, ip, request);
  if (await ownerMustEnrollMfa(accountableUserId(principal))) throw EnrollmentRequired();
  return principal;
}

async function verifiedBearer(
  header: string,
  ip: string,
  request: ProofContext | undefined,
): Promise<TokenPrincipal | ClientPrincipal> {
  const match = CREDENTIAL.exec(header);
  const token = match?.[2];
  if (!match || !token) throw invalidRequest();
  const dpop = match[1]?.toLowerCase() === "dpop";
  // The proof first: a replayed or forged one is refused before the token is looked at.
  const proven = dpop ? await provenKey(token, request) : undefined;
  if (token.startsWith("kw_pat_")) {
    if (dpop)
      throw dpopRefusal("invalid_token", "A personal token is not bound to a key: send it as Bearer.");
    const principal = await verifyPersonalToken(token, { ip });
    if (!principal) throw invalidToken();
    return principal;
  }
  const state = await verifyAccessToken(token, { audience: getConfig().apiAudience });
  if (!state?.usable)
    throw dpop
      ? dpopRefusal("invalid_token", "The access token is invalid, expired or revoked.")
      : invalidToken();
  // RFC 9449 §7.1: a bound token is worthless without its key, and an unbound one is not DPoP.
  if (state.jkt && !dpop) {
    throw dpopRefusal(
      "invalid_token",
      "This access token is bound to a key (DPoP): send it as `Authorization: DPoP <token>` with a DPoP proof.",
    );
  }
  if (dpop && state.jkt !== proven) {
    throw state.jkt
      ? dpopRefusal(
          "invalid_dpop_proof",
          "The DPoP proof is signed by another key than the one this token is bound to.",
        )
      : dpopRefusal("invalid_token", "This access token is not bound to a key: send it as Bearer.");
  }
  noteClientUse(state.clientId, BUILT_IN_API_ID);
  return clientPrincipal(state);
}

/** The thumbprint of the key a request's DPoP proof was made with, for this token. */
async function provenKey(token: string, request: ProofContext | undefined): Promise<string> {
  try {
    if (!request) throw new DpopProofError("A DPoP proof cannot be checked here.");
    const proof = await checkDpopProof({
      header: request.proof,
      method: request.method,
      uri: request.url,
      accessToken: token,
    });
    return proof.jkt;
  } catch (error) {
    if (error instanceof DpopProofError) throw dpopRefusal("invalid_dpop_proof", error.message);
    throw error;
  }
}
