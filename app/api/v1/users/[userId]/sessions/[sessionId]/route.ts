import { V1 } from "@/lib/api/v1-operations";
import { endSession } from "@/lib/auth/manage-sessions";
import { apiRoute } from "@/lib/http/api-route";

export const DELETE = apiRoute(V1.endUserSession, async ({ principal, params, context }) => {
  await endSession({ ...params, actor: principal, context });
  return new Response(null, { status: 204 });
});
