import { readOAuthForm } from "@/lib/http/read-form";
import { authenticateClient } from "@/lib/oauth/client-authentication";
import { oauthEndpoint } from "@/lib/oauth/endpoint";
import { introspect } from "@/lib/oauth/introspect";
import { OAuthError, oauthJson } from "@/lib/oauth/oauth-error";

/** RFC 7662: token introspection, for authenticated clients (resource servers). */
export const POST = oauthEndpoint("introspect", async ({ req, context }) => {
  const form = await readOAuthForm(req);
  await authenticateClient(req, form, context);
  const token = form.get("token");
  if (!token) throw new OAuthError("invalid_request", "token is missing.");
  return oauthJson(await introspect(token));
});
