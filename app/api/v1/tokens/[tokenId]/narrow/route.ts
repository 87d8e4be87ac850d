import { toNarrowResult } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { narrowToken } from "@/lib/remedies/narrow";

export const POST = apiRoute(V1.narrowToken, async ({ principal, params, context }) =>
  json(toNarrowResult(await narrowToken({ tokenId: params.tokenId, actor: principal, context }))),
);
