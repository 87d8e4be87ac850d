import { Unauthenticated } from "@/lib/errors/app-error";
import { ATTEMPT_COOKIE } from "@/lib/auth/sign-in/attempts";
import { secondFactorSchema } from "@/lib/auth/sign-in/schemas";
import { verifySecondFactor } from "@/lib/auth/sign-in/verify-second-factor";
import { json, publicRoute } from "@/lib/http/route";

/** Sign-in step 2: an authenticator code or a recovery code, against the attempt in the cookie. */
export const POST = publicRoute({ body: secondFactorSchema }, async ({ req, body, context }) => {
  const attemptToken = req.cookies.get(ATTEMPT_COOKIE)?.value;
  if (!attemptToken) throw Unauthenticated("Your sign-in has expired. Start again.");
  return json(await verifySecondFactor({ attemptToken, ...body, context }));
});
