import { isHttps } from "@/lib/auth/session-cookie";
import { ATTEMPT_COOKIE, ATTEMPT_TTL_SECONDS } from "@/lib/auth/sign-in/attempts";
import { passwordSignInSchema } from "@/lib/auth/sign-in/schemas";
import { startPasswordSignIn } from "@/lib/auth/sign-in/start-password-sign-in";
import { json, publicRoute } from "@/lib/http/route";

/** Sign-in step 1: the password. Sets the attempt cookie; the session comes from the last step. */
export const POST = publicRoute({ body: passwordSignInSchema }, async ({ body, context }) => {
  const result = await startPasswordSignIn({ ...body, context });
  const response = json({ next: result.next, expiresAt: result.expiresAt.toISOString() });
  const secure = isHttps() ? "; Secure" : "";
  response.headers.append(
    "set-cookie",
    `${ATTEMPT_COOKIE}=${result.attemptToken}; Path=/api/auth; Max-Age=${ATTEMPT_TTL_SECONDS}; HttpOnly; SameSite=Lax${secure}`,
  );
  return response;
});
