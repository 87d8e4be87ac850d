import { toClient } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { getClient } from "@/lib/clients/list-clients";
import { setClientEnabled } from "@/lib/clients/manage-clients";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const POST = apiRoute(V1.disableClient, async ({ principal, params, context }) => {
  await setClientEnabled({ clientId: params.clientId, enabled: false, actor: principal, context });
  return json(toClient(await getClient(principal, params.clientId)));
});
