import { V1 } from "@/lib/api/v1-operations";
import { importPermissions } from "@/lib/apis/import-export";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const POST = apiRoute(V1.importApiPermissions, async ({ principal, params, body, context }) =>
  json(await importPermissions({ actor: principal, id: params.apiId, input: body, context })),
);
