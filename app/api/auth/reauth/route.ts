import { reauthenticate } from "@/lib/auth/reauthenticate";
import { reauthSchema } from "@/lib/auth/reauth-schema";
import { json, route } from "@/lib/http/route";

/** Step-up: prove it is you again before a sensitive action. */
export const POST = route(
  { permission: "authenticated", duringEnrollment: true, body: reauthSchema },
  async ({ principal, body, context }) => {
    await reauthenticate({ actor: principal, ...body, context });
    return json({ ok: true });
  },
);
