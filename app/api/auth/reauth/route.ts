import { reauthenticate } from "@/lib/auth/reauthenticate";
import { reauthSchema } from "@/lib/auth/reauth-schema";
import { sessionCookieHeader } from "@/lib/auth/session-cookie";
import { json, route } from "@/lib/http/route";

/** Step-up: prove it is you again before a sensitive action. */
export const POST = route(
  { permission: "authenticated", duringEnrollment: true, body: reauthSchema },
  async ({ principal, body, context }) => {
    const { sessionId } = await reauthenticate({ actor: principal, ...body, context });
    // A new session id after re-authentication: the old one stops working now.
    const response = json({ ok: true });
    response.headers.append("set-cookie", await sessionCookieHeader(principal.userId, sessionId));
    return response;
  },
);
