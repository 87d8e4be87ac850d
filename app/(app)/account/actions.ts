"use server";

import { endSession } from "@/lib/auth/manage-sessions";
import { sessionRefSchema } from "@/lib/auth/session-schemas";
import { action } from "@/lib/http/action";

export const endMySessionAction = action(
  { permission: "self", stepUp: true, schema: sessionRefSchema },
  async ({ principal, input, context }) => {
    await endSession({ ...input, actor: principal, context });
    return { message: "Signed out of that session." };
  },
);
