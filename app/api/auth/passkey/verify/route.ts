import { Unauthenticated } from "@/lib/errors/app-error";
import { attemptCookieHeader, PASSKEY_COOKIE } from "@/lib/auth/sign-in/attempt-cookie";
import { verifyPasswordless } from "@/lib/auth/sign-in/passkey-steps";
import { json, publicRoute } from "@/lib/http/route";
import { passkeyAssertionSchema } from "@/lib/mfa/webauthn-schemas";

export const POST = publicRoute({ body: passkeyAssertionSchema }, async ({ req, body, context }) => {
  const challengeId = req.cookies.get(PASSKEY_COOKIE)?.value;
  if (!challengeId) throw Unauthenticated("This passkey request has expired. Try again.");
  const { attemptToken } = await verifyPasswordless({ challengeId, response: body.response, context });
  const response = json({ next: "complete" });
  response.headers.append("set-cookie", attemptCookieHeader(attemptToken));
  return response;
});
