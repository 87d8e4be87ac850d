import type { ClientState } from "../clients/verify-client-secret.ts";
import { getConfig } from "../config/env.ts";
import { checkDpopProof, DpopNonceRequired } from "../dpop/check.ts";
import { currentDpopNonce } from "../dpop/nonce.ts";
import { DpopProofError } from "../dpop/proof.ts";
import { readOAuthForm } from "../http/read-form.ts";
import { authenticateClient } from "./client-authentication.ts";
import { issueClientCredentialsToken } from "./client-credentials.ts";
import { oauthEndpoint } from "./endpoint.ts";
import { OAuthError, oauthJson } from "./oauth-error.ts";

/** The grants the OpenID provider answers at the same URL (ADR 0012): code exchange and refresh. */
export const PROVIDER_GRANTS: ReadonlySet<string> = new Set(["authorization_code", "refresh_token"]);

/**
 * RFC 6749 §4.4: the client credentials grant, Keyward's own. scripts/server.js sends code exchange
 * and refresh to the provider and everything else here, as a WHATWG Request; the Next route of the
 * same URL is this handler too, for the integration tests.
 */
export const tokenEndpoint = oauthEndpoint("token", async ({ req, context }) => {
  const form = await readOAuthForm(req, ["resource"]);
  const client = await authenticateClient(req, form, context);
  const grantType = form.get("grant_type");
  if (!grantType) throw new OAuthError("invalid_request", "grant_type is missing.");
  if (grantType !== "client_credentials") {
    throw new OAuthError(
      "unsupported_grant_type",
      "This endpoint takes client_credentials, authorization_code and refresh_token.",
    );
  }
  const jkt = await boundKey(req, client);
  const token = await issueClientCredentialsToken(
    client,
    { scope: form.get("scope"), resources: form.getAll("resource"), ...(jkt ? { jkt } : {}) },
    { context },
  );
  // A fresh nonce with every bound token, so the client's next proof has one (RFC 9449 §8.2).
  return oauthJson(token, 200, jkt ? { "dpop-nonce": currentDpopNonce() } : {});
});

/**
 * RFC 9449 §5: the key a token request proves it holds, when it sends a DPoP proof (or must, as the
 * client is set to): the proof for this URL and method, with a nonce Keyward gave out (§8), not
 * seen before. Undefined for a bearer request a client may make.
 */
async function boundKey(req: Request, client: ClientState): Promise<string | undefined> {
  const header = req.headers.get("dpop");
  if (header === null && !client.requireDpop) return undefined;
  try {
    const proof = await checkDpopProof({
      header,
      method: req.method,
      uri: `${getConfig().issuer}/api/oauth/token`,
      requireNonce: true,
    });
    return proof.jkt;
  } catch (error) {
    const subject = { id: client.clientId, name: client.clientName };
    if (error instanceof DpopNonceRequired) {
      const refusal = new OAuthError("use_dpop_nonce", error.message);
      refusal.headers = { "dpop-nonce": currentDpopNonce() };
      refusal.client = subject;
      throw refusal;
    }
    if (error instanceof DpopProofError) {
      const refusal = new OAuthError(
        "invalid_dpop_proof",
        header === null
          ? "This client must send a DPoP proof (RFC 9449) with its token requests."
          : error.message,
      );
      refusal.client = subject;
      throw refusal;
    }
    throw error;
  }
}
