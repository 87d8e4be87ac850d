import { readAttemptToken } from "@/lib/auth/sign-in/attempt-cookie";
import { secondFactorSchema } from "@/lib/auth/sign-in/schemas";
import { verifySecondFactor } from "@/lib/auth/sign-in/verify-second-factor";
import { json, publicRoute } from "@/lib/http/route";

/** Sign-in step 2: an authenticator code or a recovery code, against the attempt in the cookie. */
export const POST = publicRoute({ body: secondFactorSchema }, async ({ req, body, context }) =>
  json(await verifySecondFactor({ attemptToken: readAttemptToken(req), ...body, context })),
);
