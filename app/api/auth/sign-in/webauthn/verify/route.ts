import { readAttemptToken } from "@/lib/auth/sign-in/attempt-cookie";
import { verifySecondFactorPasskey } from "@/lib/auth/sign-in/passkey-steps";
import { json, publicRoute } from "@/lib/http/route";
import { passkeyAssertionSchema } from "@/lib/mfa/webauthn-schemas";

export const POST = publicRoute({ body: passkeyAssertionSchema }, async ({ req, body, context }) =>
  json(
    await verifySecondFactorPasskey({
      attemptToken: readAttemptToken(req),
      response: body.response,
      context,
    }),
  ),
);
