import { readOAuthForm } from "@/lib/http/read-form";
import { authenticateClient } from "@/lib/oauth/client-authentication";
import { oauthEndpoint } from "@/lib/oauth/endpoint";
import { OAuthError } from "@/lib/oauth/oauth-error";
import { revokeWithClient } from "@/lib/oauth/revoke";

/** RFC 7009: token revocation. 200 with an empty body whether or not the token was valid. */
export const POST = oauthEndpoint("revoke", async ({ req, context }) => {
  const form = await readOAuthForm(req);
  const client = await authenticateClient(req, form, context);
  const token = form.get("token");
  if (!token) throw new OAuthError("invalid_request", "token is missing.");
  await revokeWithClient(client, token, context);
  return new Response(null, { status: 200, headers: { "cache-control": "no-store" } });
});
