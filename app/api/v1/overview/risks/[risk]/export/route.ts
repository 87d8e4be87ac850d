import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { exportRiskList } from "@/lib/overview/export-risk";

export const GET = apiRoute(V1.exportRisk, async ({ principal, params }) => {
  const file = exportRiskList(principal, params.risk);
  return new Response(file.body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "no-store",
    },
  });
});
