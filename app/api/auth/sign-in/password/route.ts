import { attemptCookieHeader } from "@/lib/auth/sign-in/attempt-cookie";
import { passwordSignInSchema } from "@/lib/auth/sign-in/schemas";
import { startPasswordSignIn } from "@/lib/auth/sign-in/start-password-sign-in";
import { json, publicRoute } from "@/lib/http/route";

/** Sign-in step 1: the password. Sets the attempt cookie; the session comes from the last step. */
export const POST = publicRoute({ body: passwordSignInSchema }, async ({ body, context }) => {
  const result = await startPasswordSignIn({ ...body, context });
  const response = json({
    next: result.next,
    factors: result.factors,
    expiresAt: result.expiresAt.toISOString(),
  });
  response.headers.append("set-cookie", attemptCookieHeader(result.attemptToken));
  return response;
});
