import { V1 } from "@/lib/api/v1-operations";
import { apiRoute } from "@/lib/http/api-route";
import { json } from "@/lib/http/route";
import { issuePasswordReset } from "@/lib/users/password-reset";

export const POST = apiRoute(V1.resetUserPassword, async ({ principal, params, context }) => {
  const reset = await issuePasswordReset({ actor: principal, userId: params.userId, context });
  return json(
    {
      userId: params.userId,
      delivery: reset.delivery,
      ...(reset.delivery === "shown" ? { resetLink: reset.link } : {}),
      expiresAt: reset.expiresAt.toISOString(),
    },
    { status: 201 },
  );
});
