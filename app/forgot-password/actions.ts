"use server";

import { publicAction } from "@/lib/http/action";
import { requestPasswordReset } from "@/lib/users/password-reset";
import { requestPasswordResetSchema } from "@/lib/users/user-schemas";

export const requestPasswordResetAction = publicAction(
  { schema: requestPasswordResetSchema },
  async ({ input, context }) => {
    await requestPasswordReset({ email: input.email, context });
    return {
      message:
        "If an active account uses that address, a reset link is on its way. It works once, for an hour. Check your inbox.",
    };
  },
);
