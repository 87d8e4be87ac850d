import { toUser } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { getUser } from "@/lib/users/get-user";
import { enableUser } from "@/lib/users/manage-user";

export const POST = apiRoute(V1.enableUser, async ({ principal, params, context }) => {
  await enableUser({ userId: params.userId, actor: principal, context });
  return json(toUser(await getUser(principal, params.userId)));
});
