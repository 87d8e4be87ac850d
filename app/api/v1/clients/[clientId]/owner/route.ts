import { toClient } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { getClient } from "@/lib/clients/list-clients";
import { reassignClient } from "@/lib/clients/reassign-client";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

// A proposal: the client shows its pendingOwner until they accept or decline.
export const PUT = apiRoute(V1.reassignClient, async ({ principal, params, body, context }) => {
  await reassignClient({ ...body, clientId: params.clientId, actor: principal, context });
  return json(toClient(await getClient(principal, params.clientId)));
});
