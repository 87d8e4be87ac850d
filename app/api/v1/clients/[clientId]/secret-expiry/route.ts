import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { setClientSecretExpiry } from "@/lib/remedies/expiry";

export const PUT = apiRoute(V1.setClientSecretExpiry, async ({ principal, params, body, context }) => {
  const result = await setClientSecretExpiry({
    ...body,
    clientId: params.clientId,
    actor: principal,
    context,
  });
  return json({ expiresAt: result.expiresAt.toISOString(), secrets: result.secrets });
});
