import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { listRisk } from "@/lib/overview/risk-lists";

export const GET = apiRoute(V1.listRisk, async ({ principal, params, query }) => {
  const page = await listRisk(principal, { risk: params.risk, ...query });
  return Response.json(
    { items: page.items, nextCursor: page.nextCursor },
    { headers: { "cache-control": "no-store" } },
  );
});
