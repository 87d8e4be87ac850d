import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { remindOwner } from "@/lib/remedies/remind-owner";

export const POST = apiRoute(V1.remindOwner, async ({ principal, params, body, context }) => {
  const sent = await remindOwner({ ...body, risk: params.risk, actor: principal, context });
  return json({ ownerId: sent.ownerId, sentAt: sent.sentAt.toISOString() });
});
