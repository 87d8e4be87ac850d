import { V1 } from "@/lib/api/v1-operations";
import { setAppDisabled } from "@/lib/apps/manage-apps";
import { apiRoute } from "@/lib/http/api-route";

export const POST = apiRoute(V1.enableApp, async ({ principal, params, context }) => {
  await setAppDisabled({ actor: principal, id: params.appId, disabled: false, context });
  return new Response(null, { status: 204 });
});
