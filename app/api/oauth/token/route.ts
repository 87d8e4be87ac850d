import { readOAuthForm } from "@/lib/http/read-form";
import { authenticateClient } from "@/lib/oauth/client-authentication";
import { issueClientCredentialsToken } from "@/lib/oauth/client-credentials";
import { oauthEndpoint } from "@/lib/oauth/endpoint";
import { OAuthError, oauthJson } from "@/lib/oauth/oauth-error";

/** RFC 6749 §4.4: the client credentials grant. */
export const POST = oauthEndpoint("token", async ({ req, context }) => {
  const form = await readOAuthForm(req, ["resource"]);
  const client = await authenticateClient(req, form, context);
  const grantType = form.get("grant_type");
  if (!grantType) throw new OAuthError("invalid_request", "grant_type is missing.");
  if (grantType !== "client_credentials") {
    throw new OAuthError("unsupported_grant_type", "Only the client_credentials grant is supported.");
  }
  const token = await issueClientCredentialsToken(
    client,
    { scope: form.get("scope"), resources: form.getAll("resource") },
    { context },
  );
  return oauthJson(token);
});
