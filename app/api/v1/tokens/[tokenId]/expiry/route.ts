import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { setTokenExpiry } from "@/lib/remedies/expiry";

export const PUT = apiRoute(V1.setTokenExpiry, async ({ principal, params, body, context }) => {
  const result = await setTokenExpiry({ ...body, tokenId: params.tokenId, actor: principal, context });
  return json({
    expiresAt: result.expiresAt.toISOString(),
    previous: result.previous?.toISOString() ?? null,
  });
});
