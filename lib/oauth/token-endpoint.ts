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
  const token = await issueClientCredentialsToken(
    client,
    { scope: form.get("scope"), resources: form.getAll("resource") },
    { context },
  );
  return oauthJson(token);
});
