import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { securityOverview } from "@/lib/overview/security-overview";

export const GET = apiRoute(V1.getOverview, async ({ principal }) =>
  Response.json(await securityOverview(principal), { headers: { "cache-control": "no-store" } }),
);
