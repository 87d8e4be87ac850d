import { toRole } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { getRole, listRoles } from "@/lib/roles/list-roles";
import { createRole } from "@/lib/roles/manage-role";

export const GET = apiRoute(V1.listRoles, async ({ principal, query }) => {
  const page = await listRoles(principal, query);
  return json({ ...page, items: page.items.map(toRole) });
});

export const POST = apiRoute(V1.createRole, async ({ principal, body, context }) => {
  const { id } = await createRole({ ...body, actor: principal, context });
  return json(toRole(await getRole(principal, id)), {
    status: 201,
    headers: { location: `/api/v1/roles/${id}` },
  });
});
