import { toRole } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { getRole } from "@/lib/roles/list-roles";
import { deleteRole, updateRole } from "@/lib/roles/manage-role";

export const GET = apiRoute(V1.getRole, async ({ principal, params }) =>
  json(toRole(await getRole(principal, params.roleId))),
);

export const PATCH = apiRoute(V1.updateRole, async ({ principal, params, body, context }) => {
  await updateRole({ ...body, roleId: params.roleId, actor: principal, context });
  return json(toRole(await getRole(principal, params.roleId)));
});

export const DELETE = apiRoute(V1.deleteRole, async ({ principal, params, query, context }) => {
  await deleteRole({
    roleId: params.roleId,
    removeFromHolders: query.removeFromHolders,
    actor: principal,
    context,
  });
  return new Response(null, { status: 204 });
});
