import { toClient } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { getClient } from "@/lib/clients/list-clients";
import { deleteClient, updateClient } from "@/lib/clients/manage-clients";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const GET = apiRoute(V1.getClient, async ({ principal, params }) =>
  json(toClient(await getClient(principal, params.clientId))),
);

export const PATCH = apiRoute(V1.updateClient, async ({ principal, params, body, context }) => {
  await updateClient({ ...body, clientId: params.clientId, actor: principal, context });
  return json(toClient(await getClient(principal, params.clientId)));
});

export const DELETE = apiRoute(V1.deleteClient, async ({ principal, params, context }) => {
  await deleteClient({ clientId: params.clientId, actor: principal, context });
  return new Response(null, { status: 204 });
});
