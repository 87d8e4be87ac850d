import { toApi } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { getApi } from "@/lib/apis/list-apis";
import { deleteApi, updateApi } from "@/lib/apis/manage-apis";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const GET = apiRoute(V1.getApi, async ({ principal, params }) =>
  json(toApi(await getApi({ actor: principal, id: params.apiId }))),
);

export const PATCH = apiRoute(V1.updateApi, async ({ principal, params, body, context }) => {
  await updateApi({ actor: principal, id: params.apiId, input: body, context });
  return json(toApi(await getApi({ actor: principal, id: params.apiId })));
});

export const DELETE = apiRoute(V1.deleteApi, async ({ principal, params, query, context }) => {
  await deleteApi({ actor: principal, id: params.apiId, confirm: query.confirm, context });
  return new Response(null, { status: 204 });
});
