import { toUserSummary } from "@/lib/api/resources";
import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { inviteUser } from "@/lib/users/invitations";
import { listUsers } from "@/lib/users/list-users";

export const GET = apiRoute(V1.listUsers, async ({ principal, query }) => {
  const page = await listUsers(principal, query);
  return json({ ...page, items: page.items.map(toUserSummary) });
});

export const POST = apiRoute(V1.inviteUser, async ({ principal, body, context }) => {
  const invitation = await inviteUser({ ...body, actor: principal, context });
  return json(
    {
      userId: invitation.userId,
      invitationLink: invitation.link,
      expiresAt: invitation.expiresAt.toISOString(),
    },
    { status: 201, headers: { location: `/api/v1/users/${invitation.userId}` } },
  );
});
