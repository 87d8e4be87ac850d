import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { revokeConnectedApp } from "@/lib/oidc/connected-apps";

export const DELETE = apiRoute(V1.revokeMyApp, async ({ principal, params, context }) => {
  return json({ ended: await revokeConnectedApp({ principal, appId: params.appId, context }) });
});
