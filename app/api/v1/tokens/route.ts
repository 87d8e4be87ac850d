import { toToken } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { listTokens } from "@/lib/tokens/list-tokens";
import { mintToken } from "@/lib/tokens/mint-token";

export const GET = apiRoute(V1.listTokens, async ({ principal, query }) => {
  const page = await listTokens(principal, query);
  return json({ ...page, items: page.items.map(toToken) });
});

export const POST = apiRoute(V1.mintToken, async ({ principal, body, context }) => {
  const minted = await mintToken({ ...body, actor: principal, context });
  return json(
    { ...minted, expiresAt: minted.expiresAt?.toISOString() ?? null },
    { status: 201, headers: { location: `/api/v1/tokens/${minted.id}` } },
  );
});
