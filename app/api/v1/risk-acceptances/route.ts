import { toAcceptedRisk, toAcceptedRiskItem } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { acceptRisk, listAcceptedRisks } from "@/lib/remedies/accept-risk";

export const GET = apiRoute(V1.listAcceptedRisks, async ({ principal, query }) => {
  const page = await listAcceptedRisks({ ...query, actor: principal });
  return json({ items: page.items.map(toAcceptedRiskItem), nextCursor: page.nextCursor });
});

export const POST = apiRoute(V1.acceptRisk, async ({ principal, body, context }) => {
  const accepted = await acceptRisk({ ...body, actor: principal, context });
  return json(toAcceptedRisk(accepted), { status: 201 });
});
