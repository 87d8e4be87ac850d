import { toUser } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { getUser } from "@/lib/users/get-user";
import { deleteUser, updateUser } from "@/lib/users/manage-user";

export const GET = apiRoute(V1.getUser, async ({ principal, params }) =>
  json(toUser(await getUser(principal, params.userId))),
);

export const PATCH = apiRoute(V1.updateUser, async ({ principal, params, body, context }) => {
  await updateUser({ ...body, userId: params.userId, actor: principal, context });
  return json(toUser(await getUser(principal, params.userId)));
});

export const DELETE = apiRoute(V1.deleteUser, async ({ principal, params, context }) => {
  await deleteUser({ userId: params.userId, actor: principal, context });
  return new Response(null, { status: 204 });
});
