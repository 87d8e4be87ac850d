import { V1 } from "@/lib/api/v1-operations";
import { exportAuditEvents } from "@/lib/audit/export-events";
import { apiRoute } from "@/lib/http/api-route";

export const GET = apiRoute(V1.exportAuditEvents, async ({ principal, query, context }) => {
  const file = await exportAuditEvents(principal, query, context);
  return new Response(file.body, {
    headers: {
      "content-type": file.contentType,
      "content-disposition": `attachment; filename="${file.filename}"`,
      "cache-control": "no-store",
    },
  });
});
