"use server";

import { publicAction } from "@/lib/http/action";
import { verifyEmail } from "@/lib/users/email-verification";
import { verifyEmailSchema } from "@/lib/users/user-schemas";

export const verifyEmailAction = publicAction({ schema: verifyEmailSchema }, async ({ input, context }) => {
  const { email } = await verifyEmail({ code: input.code, context });
  return { message: `Your email address is verified: ${email}.` };
});
