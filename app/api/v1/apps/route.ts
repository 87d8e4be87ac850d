import { toAppSummary, toRegisteredApp } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { listApps } from "@/lib/apps/list-apps";
import { createApp } from "@/lib/apps/manage-apps";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const GET = apiRoute(V1.listApps, async ({ principal, query }) => {
  const page = await listApps(principal, query);
  return json({ ...page, items: page.items.map(toAppSummary) });
});

export const POST = apiRoute(V1.createApp, async ({ principal, body, context }) => {
  const app = await createApp({ actor: principal, input: body, context });
  return json(toRegisteredApp(app), { status: 201, headers: { location: `/api/v1/apps/${app.id}` } });
});
