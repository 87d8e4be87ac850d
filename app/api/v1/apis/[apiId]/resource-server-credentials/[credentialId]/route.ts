import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { revokeResourceServerCredential } from "@/lib/resource-servers/manage-credentials";

export const DELETE = apiRoute(V1.revokeResourceServerCredential, async ({ principal, params, context }) => {
  await revokeResourceServerCredential({
    apiId: params.apiId,
    credentialId: params.credentialId,
    actor: principal,
    context,
  });
  return new Response(null, { status: 204 });
});
