import { V1 } from "@/lib/api/v1-operations";
import { rotateClientSecret } from "@/lib/clients/manage-clients";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const POST = apiRoute(V1.rotateClientSecret, async ({ principal, params, body, context }) => {
  const rotated = await rotateClientSecret({ ...body, clientId: params.clientId, actor: principal, context });
  return json({
    clientId: params.clientId,
    clientSecret: rotated.clientSecret,
    oldSecretExpiresAt: rotated.oldSecretExpiresAt?.toISOString() ?? null,
  });
});
