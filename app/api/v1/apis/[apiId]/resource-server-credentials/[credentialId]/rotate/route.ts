import { toResourceServerSecret } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { rotateResourceServerSecret } from "@/lib/resource-servers/manage-credentials";

export const POST = apiRoute(V1.rotateResourceServerSecret, async ({ principal, params, body, context }) => {
  const rotated = await rotateResourceServerSecret({
    ...body,
    apiId: params.apiId,
    credentialId: params.credentialId,
    actor: principal,
    context,
  });
  return json(toResourceServerSecret(rotated));
});
