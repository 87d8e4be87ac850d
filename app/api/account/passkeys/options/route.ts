import { json, route } from "@/lib/http/route";
import { passkeyRegistrationOptions } from "@/lib/mfa/webauthn-register";

/** Self-service: options to register a passkey or security key (reachable during forced enrollment). */
export const POST = route({ permission: "authenticated", duringEnrollment: true }, async ({ principal }) =>
  json(await passkeyRegistrationOptions(principal)),
);
