import { json, route } from "@/lib/http/route";
import { registerPasskey } from "@/lib/mfa/webauthn-register";
import { registerPasskeySchema } from "@/lib/mfa/webauthn-schemas";

export const POST = route(
  { permission: "authenticated", duringEnrollment: true, body: registerPasskeySchema },
  async ({ principal, body, context }) =>
    json(await registerPasskey({ actor: principal, ...body, context }), { status: 201 }),
);
