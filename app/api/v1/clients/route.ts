import { toClient } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { listClients } from "@/lib/clients/list-clients";
import { createClient } from "@/lib/clients/manage-clients";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const GET = apiRoute(V1.listClients, async ({ principal, query }) => {
  const page = await listClients(principal, query);
  return json({ ...page, items: page.items.map(toClient) });
});

export const POST = apiRoute(V1.createClient, async ({ principal, body, context }) => {
  const created = await createClient({ ...body, actor: principal, context });
  return json(created, { status: 201, headers: { location: `/api/v1/clients/${created.clientId}` } });
});
