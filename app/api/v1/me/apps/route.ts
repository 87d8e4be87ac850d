import { toConnectedApp } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { listConnectedApps } from "@/lib/oidc/connected-apps";

export const GET = apiRoute(V1.listMyApps, async ({ principal }) =>
  json({ items: (await listConnectedApps(principal)).map(toConnectedApp) }),
);
