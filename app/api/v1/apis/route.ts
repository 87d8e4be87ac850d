import { toApi, toApiSummary } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { getApi, listApis } from "@/lib/apis/list-apis";
import { createApi } from "@/lib/apis/manage-apis";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const GET = apiRoute(V1.listApis, async ({ principal, query }) => {
  const page = await listApis({ actor: principal, cursor: query.after, limit: query.limit, query: query.q });
  return json({ ...page, items: page.items.map(toApiSummary) });
});

export const POST = apiRoute(V1.createApi, async ({ principal, body, context }) => {
  const { id } = await createApi({ actor: principal, input: body, context });
  return json(toApi(await getApi({ actor: principal, id })), {
    status: 201,
    headers: { location: `/api/v1/apis/${id}` },
  });
});
