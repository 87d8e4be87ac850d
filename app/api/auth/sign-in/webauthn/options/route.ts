import { readAttemptToken } from "@/lib/auth/sign-in/attempt-cookie";
import { secondFactorPasskeyOptions } from "@/lib/auth/sign-in/passkey-steps";
import { json, publicRoute } from "@/lib/http/route";

/** Sign-in step 2 with a passkey or security key: the challenge, bound to the attempt. */
export const POST = publicRoute({}, async ({ req }) =>
  json(await secondFactorPasskeyOptions(readAttemptToken(req))),
);
