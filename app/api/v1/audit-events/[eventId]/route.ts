import { toAuditEvent } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { getAuditEvent } from "@/lib/audit/list-events";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const GET = apiRoute(V1.getAuditEvent, async ({ principal, params }) =>
  json(toAuditEvent(await getAuditEvent(principal, params.eventId))),
);
