"use server";

import { publicAction } from "@/lib/http/action";
import { completePasswordReset } from "@/lib/users/password-reset";
import { resetPasswordSchema } from "@/lib/users/user-schemas";

export const resetPasswordAction = publicAction(
  { schema: resetPasswordSchema },
  async ({ input, context }) => {
    const { email } = await completePasswordReset({ ...input, context });
    return {
      message: "Your new password is set.",
      redirectTo: `/login?reset=1&email=${encodeURIComponent(email)}`,
    };
  },
);
