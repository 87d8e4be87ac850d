import { V1 } from "@/lib/api/v1-operations";
import { acceptClientReassignment } from "@/lib/clients/reassign-client";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const POST = apiRoute(V1.acceptClientReassignment, async ({ principal, params, body, context }) => {
  const accepted = await acceptClientReassignment({
    ...body,
    clientId: params.clientId,
    actor: principal,
    context,
  });
  return json({
    clientId: params.clientId,
    clientSecret: accepted.clientSecret,
    oldSecretExpiresAt: accepted.oldSecretExpiresAt?.toISOString() ?? null,
  });
});
