import { readOAuthForm } from "@/lib/http/read-form";
import { authenticateResourceServer } from "@/lib/oauth/client-authentication";
import { oauthEndpoint } from "@/lib/oauth/endpoint";
import { introspect } from "@/lib/oauth/introspect";
import { OAuthError, oauthJson } from "@/lib/oauth/oauth-error";

/**
 * RFC 7662: token introspection, for resource servers only. The caller authenticates with its
 * API's resource-server credential (an ordinary API client gets 401 invalid_client), and learns
 * only whether a token is usable at that API, with that API's permissions.
 */
export const POST = oauthEndpoint("introspect", async ({ req, context }) => {
  const form = await readOAuthForm(req);
  const resourceServer = await authenticateResourceServer(req, form, context);
  const token = form.get("token");
  if (!token) throw new OAuthError("invalid_request", "token is missing.");
  return oauthJson(await introspect(token, resourceServer.api));
});
