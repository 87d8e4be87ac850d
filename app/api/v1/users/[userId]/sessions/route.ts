import { toSession } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { endUserSessions, listUserSessions } from "@/lib/auth/manage-sessions";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";

export const GET = apiRoute(V1.listUserSessions, async ({ principal, params }) =>
  json({ items: (await listUserSessions(principal, params.userId)).map(toSession) }),
);

export const DELETE = apiRoute(V1.endUserSessions, async ({ principal, params, context }) =>
  json({ ended: await endUserSessions({ userId: params.userId, actor: principal, context }) }),
);
