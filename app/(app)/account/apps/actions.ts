"use server";

import { action } from "@/lib/http/action";
import { connectedAppRefSchema } from "@/lib/oidc/connected-app-schemas";
import { revokeConnectedApp } from "@/lib/oidc/connected-apps";

/** Sensitive as ending one of one's sessions is: the REST counterpart is session-only. */
export const revokeConnectedAppAction = action(
  { permission: "self", stepUp: true, schema: connectedAppRefSchema },
  async ({ principal, input, context }) => {
    await revokeConnectedApp({ principal, appId: input.appId, context });
    return { message: "Access revoked: the app can no longer use your account." };
  },
);
