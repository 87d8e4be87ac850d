import { reauthenticateWithPasskey } from "@/lib/auth/reauthenticate";
import { json, route } from "@/lib/http/route";
import { passkeyAssertionSchema } from "@/lib/mfa/webauthn-schemas";

export const POST = route(
  { permission: "authenticated", duringEnrollment: true, body: passkeyAssertionSchema },
  async ({ principal, body, context }) => {
    await reauthenticateWithPasskey({ actor: principal, response: body.response, context });
    return json({ ok: true });
  },
);
