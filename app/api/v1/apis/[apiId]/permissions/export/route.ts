import { V1 } from "@/lib/api/v1-operations";
import { exportPermissions } from "@/lib/apis/import-export";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const GET = apiRoute(V1.exportApiPermissions, async ({ principal, params }) =>
  json(await exportPermissions({ actor: principal, id: params.apiId })),
);
