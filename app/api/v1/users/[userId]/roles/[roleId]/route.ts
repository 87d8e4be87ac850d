import { toUser } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { getUser } from "@/lib/users/get-user";
import { assignRole, removeRole } from "@/lib/users/role-assignments";

export const PUT = apiRoute(V1.assignRole, async ({ principal, params, context }) => {
  await assignRole({ ...params, actor: principal, context });
  return json(toUser(await getUser(principal, params.userId)));
});

export const DELETE = apiRoute(V1.removeRole, async ({ principal, params, context }) => {
  await removeRole({ ...params, actor: principal, context });
  return json(toUser(await getUser(principal, params.userId)));
});
