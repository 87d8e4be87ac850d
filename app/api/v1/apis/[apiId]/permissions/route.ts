import { toApiPermission } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { addPermission } from "@/lib/apis/api-permissions";
import { getApi, getApiPermission } from "@/lib/apis/list-apis";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const GET = apiRoute(V1.listApiPermissions, async ({ principal, params }) => {
  const api = await getApi({ actor: principal, id: params.apiId });
  return json({ items: api.permissions.map(toApiPermission) });
});

export const POST = apiRoute(V1.addApiPermission, async ({ principal, params, body, context }) => {
  const { id } = await addPermission({ actor: principal, apiId: params.apiId, input: body, context });
  const permission = await getApiPermission({ actor: principal, apiId: params.apiId, permissionId: id });
  return json(toApiPermission(permission), {
    status: 201,
    headers: { location: `/api/v1/apis/${params.apiId}/permissions/${id}` },
  });
});
