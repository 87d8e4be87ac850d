import { readOAuthForm } from "@/lib/http/read-form";
import { authenticateApp, authenticateClient, presentedClientId } from "@/lib/oauth/client-authentication";
import { oauthEndpoint } from "@/lib/oauth/endpoint";
import { OAuthError } from "@/lib/oauth/oauth-error";
import { revokeWithClient } from "@/lib/oauth/revoke";
import { revokeForApp } from "@/lib/oidc/revoke-app-token";

/** RFC 7009: token revocation. 200 with an empty body whether or not the token was valid. */
export const POST = oauthEndpoint("revoke", async ({ req, context }) => {
  const form = await readOAuthForm(req);
  // An application (the OpenID provider's client) or an API client: told apart by the id presented.
  const app = presentedClientId(req, form)?.startsWith("app_")
    ? await authenticateApp(req, form, context)
    : null;
  const client = app ? null : await authenticateClient(req, form, context);
  const token = form.get("token");
  if (!token) throw new OAuthError("invalid_request", "token is missing.");
  if (app) await revokeForApp(app, token, context);
  else if (client) await revokeWithClient(client, token, context);
  return new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
});
