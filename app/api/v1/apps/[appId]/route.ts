import { toApp } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { getApp } from "@/lib/apps/list-apps";
import { deleteApp, updateApp } from "@/lib/apps/manage-apps";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const GET = apiRoute(V1.getApp, async ({ principal, params }) =>
  json(toApp(await getApp(principal, params.appId))),
);

export const PUT = apiRoute(V1.updateApp, async ({ principal, params, body, context }) => {
  await updateApp({ actor: principal, id: params.appId, input: body, context });
  return json(toApp(await getApp(principal, params.appId)));
});

export const DELETE = apiRoute(V1.deleteApp, async ({ principal, params, context }) => {
  await deleteApp({ actor: principal, id: params.appId, context });
  return new Response(null, { status: 204 });
});
