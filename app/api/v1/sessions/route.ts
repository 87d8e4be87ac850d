import { V1 } from "@/lib/api/v1-operations";
import { endAllSessions } from "@/lib/auth/manage-sessions";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const DELETE = apiRoute(V1.endAllSessions, async ({ principal, context }) => {
  return json({ ended: await endAllSessions({ actor: principal, context }) });
});
