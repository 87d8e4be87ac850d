import { reauthenticateWithPasskey } from "@/lib/auth/reauthenticate";
import { sessionCookieHeader } from "@/lib/auth/session-cookie";
import { json, route } from "@/lib/http/route";
import { passkeyAssertionSchema } from "@/lib/mfa/webauthn-schemas";

export const POST = route(
  { permission: "authenticated", duringEnrollment: true, body: passkeyAssertionSchema },
  async ({ principal, body, context }) => {
    const { sessionId } = await reauthenticateWithPasskey({
      actor: principal,
      response: body.response,
      context,
    });
    // A new session id after re-authentication: the old one stops working now.
    const response = json({ ok: true });
    response.headers.append("set-cookie", await sessionCookieHeader(principal.userId, sessionId));
    return response;
  },
);
