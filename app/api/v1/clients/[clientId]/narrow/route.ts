import { toNarrowResult } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { narrowClient } from "@/lib/remedies/narrow";

export const POST = apiRoute(V1.narrowClient, async ({ principal, params, context }) =>
  json(toNarrowResult(await narrowClient({ clientId: params.clientId, actor: principal, context }))),
);
