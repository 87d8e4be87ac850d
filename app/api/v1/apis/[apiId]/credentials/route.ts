import { listApiCredentials } from "@/lib/apis/api-inventory";
import { toApiCredential } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const GET = apiRoute(V1.listApiCredentials, async ({ principal, params, query }) => {
  const page = await listApiCredentials(principal, params.apiId, query);
  return json({ ...page, items: page.items.map(toApiCredential) });
});
