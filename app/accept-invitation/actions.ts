"use server";

import { publicAction } from "@/lib/http/action";
import { acceptInvitation } from "@/lib/users/accept-invitation";
import { acceptInvitationSchema } from "@/lib/users/user-schemas";

export const acceptInvitationAction = publicAction(
  { schema: acceptInvitationSchema },
  async ({ input, context }) => {
    const { email } = await acceptInvitation({ ...input, context });
    return {
      message: "Your password is set.",
      redirectTo: `/login?invited=1&email=${encodeURIComponent(email)}`,
    };
  },
);
