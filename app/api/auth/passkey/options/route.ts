import { passkeyCookieHeader } from "@/lib/auth/sign-in/attempt-cookie";
import { passwordlessOptions } from "@/lib/auth/sign-in/passkey-steps";
import { json, publicRoute } from "@/lib/http/route";

/** "Sign in with a passkey": a challenge for any discoverable credential, bound to this browser by cookie. */
export const POST = publicRoute({}, async ({ context }) => {
  const { options, challengeId } = await passwordlessOptions(context);
  const response = json(options);
  response.headers.append("set-cookie", passkeyCookieHeader(challengeId));
  return response;
});
