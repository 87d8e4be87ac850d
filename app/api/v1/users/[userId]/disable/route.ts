import { toUser } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { getUser } from "@/lib/users/get-user";
import { disableUser } from "@/lib/users/manage-user";

export const POST = apiRoute(V1.disableUser, async ({ principal, params, context }) => {
  await disableUser({ userId: params.userId, actor: principal, context });
  return json(toUser(await getUser(principal, params.userId)));
});
