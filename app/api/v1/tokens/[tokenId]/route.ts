import { toToken } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { getToken } from "@/lib/tokens/list-tokens";
import { revokeToken } from "@/lib/tokens/manage-tokens";

export const GET = apiRoute(V1.getToken, async ({ principal, params }) =>
  json(toToken(await getToken(principal, params.tokenId))),
);

export const DELETE = apiRoute(V1.revokeToken, async ({ principal, params, context }) => {
  await revokeToken({ tokenId: params.tokenId, actor: principal, context });
  return new Response(null, { status: 204 });
});
