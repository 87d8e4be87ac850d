import { toAuditEvent } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { listAuditEvents } from "@/lib/audit/list-events";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const GET = apiRoute(V1.listAuditEvents, async ({ principal, query }) => {
  const page = await listAuditEvents(principal, query);
  return json({ ...page, items: page.items.map(toAuditEvent) });
});
