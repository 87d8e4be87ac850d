import { toResourceServerCredential, toResourceServerSecret } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { listResourceServerCredentials } from "@/lib/resource-servers/list-credentials";
import { createResourceServerCredential } from "@/lib/resource-servers/manage-credentials";

export const GET = apiRoute(V1.listResourceServerCredentials, async ({ principal, params, query }) => {
  const page = await listResourceServerCredentials(principal, params.apiId, query);
  return json({ ...page, items: page.items.map(toResourceServerCredential) });
});

export const POST = apiRoute(
  V1.createResourceServerCredential,
  async ({ principal, params, body, context }) => {
    const created = await createResourceServerCredential({
      ...body,
      apiId: params.apiId,
      actor: principal,
      context,
    });
    return json(toResourceServerSecret(created), {
      status: 201,
      headers: {
        location: `/api/v1/apis/${params.apiId}/resource-server-credentials/${created.credentialId}`,
      },
    });
  },
);
