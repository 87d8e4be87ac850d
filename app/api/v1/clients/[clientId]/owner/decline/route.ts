import { V1 } from "@/lib/api/v1-operations";
import { declineClientReassignment } from "@/lib/clients/reassign-client";
import { apiRoute } from "@/lib/http/api-route";

export const POST = apiRoute(V1.declineClientReassignment, async ({ principal, params, context }) => {
  await declineClientReassignment({ clientId: params.clientId, actor: principal, context });
  return new Response(null, { status: 204 });
});
