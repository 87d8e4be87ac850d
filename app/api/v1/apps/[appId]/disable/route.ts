import { V1 } from "@/lib/api/v1-operations";
import { setAppDisabled } from "@/lib/apps/manage-apps";
import { apiRoute } from "@/lib/http/api-route";

export const POST = apiRoute(V1.disableApp, async ({ principal, params, context }) => {
  await setAppDisabled({ actor: principal, id: params.appId, disabled: true, context });
  return new Response(null, { status: 204 });
});
