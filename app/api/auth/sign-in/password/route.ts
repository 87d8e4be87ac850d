import { attemptCookieHeader } from "@/lib/auth/sign-in/attempt-cookie";
import { deviceCookieHeader, deviceCookieName } from "@/lib/auth/sign-in/device-cookie";
import { passwordSignInSchema } from "@/lib/auth/sign-in/schemas";
import { startPasswordSignIn } from "@/lib/auth/sign-in/start-password-sign-in";
import { json, publicRoute } from "@/lib/http/route";

/** Sign-in step 1: the password. Sets the attempt cookie; the session comes from the last step. */
export const POST = publicRoute({ body: passwordSignInSchema }, async ({ req, body, context }) => {
  const deviceToken = req.cookies.get(deviceCookieName())?.value;
  const result = await startPasswordSignIn({ ...body, context, deviceToken });
  const response = json({
    next: result.next,
    factors: result.factors,
    expiresAt: result.expiresAt.toISOString(),
  });
  response.headers.append("set-cookie", attemptCookieHeader(result.attemptToken));
  response.headers.append("set-cookie", deviceCookieHeader(result.deviceToken));
  return response;
});
