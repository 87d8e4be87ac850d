import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { withdrawAcceptance } from "@/lib/remedies/accept-risk";

export const DELETE = apiRoute(V1.withdrawAcceptance, async ({ principal, params, context }) => {
  await withdrawAcceptance({ id: params.acceptanceId, actor: principal, context });
  return new Response(null, { status: 204 });
});
