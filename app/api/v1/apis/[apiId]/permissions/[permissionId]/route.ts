import { toApiPermission } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { removePermission, updatePermission } from "@/lib/apis/api-permissions";
import { getApiPermission } from "@/lib/apis/list-apis";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const PATCH = apiRoute(V1.updateApiPermission, async ({ principal, params, body, context }) => {
  const ref = { actor: principal, apiId: params.apiId, permissionId: params.permissionId };
  await updatePermission({ ...ref, input: body, context });
  return json(toApiPermission(await getApiPermission(ref)));
});

export const DELETE = apiRoute(V1.removeApiPermission, async ({ principal, params, query, context }) => {
  await removePermission({
    actor: principal,
    apiId: params.apiId,
    permissionId: params.permissionId,
    confirm: query.confirm,
    context,
  });
  return new Response(null, { status: 204 });
});
