import { V1 } from "@/lib/api/v1-operations";
import { rotateAppSecret } from "@/lib/apps/manage-apps";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const POST = apiRoute(V1.rotateAppSecret, async ({ principal, params, body, context }) => {
  const rotated = await rotateAppSecret({ actor: principal, id: params.appId, ...body, context });
  return json({ ...rotated, oldSecretExpiresAt: rotated.oldSecretExpiresAt?.toISOString() ?? null });
});
