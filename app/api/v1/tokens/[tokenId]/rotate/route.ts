import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { rotateToken } from "@/lib/tokens/manage-tokens";

export const POST = apiRoute(V1.rotateToken, async ({ principal, params, body, context }) => {
  const rotated = await rotateToken({ ...body, tokenId: params.tokenId, actor: principal, context });
  return json({
    token: rotated.token,
    oldSecretExpiresAt: rotated.oldSecretExpiresAt?.toISOString() ?? null,
  });
});
