import type { PublicKeyCredentialRequestOptionsJSON } from "@simplewebauthn/server";
import type { z } from "zod";

import { recordAudit } from "../../audit/record-audit.ts";
import { recordAuditFailure } from "../../audit/record-failure.ts";
import { db } from "../../db/client.ts";
import { AppError, RateLimited } from "../../errors/app-error.ts";
import { limiter } from "../../limits/limiter.ts";
import { countSecondFactor } from "../../observability/metrics.ts";
import { saveChallenge, takeChallenge } from "../../mfa/webauthn-challenges.ts";
import { assertionOptions, verifyAssertion } from "../../mfa/webauthn-authenticate.ts";
import type { authenticationResponseSchema } from "../../mfa/webauthn-schemas.ts";
import type { RequestContext } from "../principal.ts";
import { countSignIn } from "../sign-in-counts.ts";
import { createAttempt } from "./attempts.ts";
import { webauthnProof } from "./factors.ts";
import { liveAttempt, runFactorStep } from "./verify-second-factor.ts";

type Assertion = z.infer<typeof authenticationResponseSchema>;

/** Second factor: the user's own passkeys and security keys, bound to this sign-in attempt. */
export async function secondFactorPasskeyOptions(
  attemptToken: string,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const attempt = await liveAttempt(attemptToken);
  const options = await assertionOptions({ userId: attempt.userId, userVerification: "preferred" });
  await saveChallenge("second_factor", options.challenge, { attemptId: attempt.id });
  return options;
}

export async function verifySecondFactorPasskey(input: {
  attemptToken: string;
  response: Assertion;
  context: RequestContext;
}) {
  const attempt = await liveAttempt(input.attemptToken);
  const expectedChallenge = await takeChallenge("second_factor", { attemptId: attempt.id });
  return runFactorStep({
    attemptToken: input.attemptToken,
    context: input.context,
    method: "webauthn",
    check: async (userId) => {
      const verified = await verifyAssertion({
        response: input.response,
        expectedChallenge,
        requireUserVerification: false,
        userId,
      });
      return verified ? webauthnProof(false, verified.deviceBound) : null;
    },
  });
}

export const PASSKEY_OPTIONS_LIMIT = { name: "passkey_options_ip", points: 60, durationSeconds: 60 } as const;

/** Passwordless: any discoverable credential, user verification required. Returns the challenge's id for a cookie. */
export async function passwordlessOptions(
  context: RequestContext,
): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; challengeId: string }> {
  const limit = await limiter(PASSKEY_OPTIONS_LIMIT).consume(context.ip || "unknown");
  if (!limit.allowed) throw RateLimited(limit.retryAfterSeconds);
  const options = await assertionOptions({ userVerification: "required" });
  const challengeId = await saveChallenge("passwordless", options.challenge, {});
  return { options, challengeId };
}

/**
 * A passkey with user verification is a complete, phishing-resistant sign-in (possession plus PIN
 * or biometric): the attempt it creates has every step passed, and goes through the same exchange.
 */
export async function verifyPasswordless(input: {
  challengeId: string;
  response: Assertion;
  context: RequestContext;
}): Promise<{ attemptToken: string }> {
  const expectedChallenge = await takeChallenge("passwordless", { id: input.challengeId });
  const verified = await verifyAssertion({
    response: input.response,
    expectedChallenge,
    requireUserVerification: true,
  });
  const user = verified ? await db.user.findUnique({ where: { id: verified.userId } }) : null;
  countSecondFactor(
    "webauthn",
    "passwordless",
    verified && user?.status === "active" ? "success" : "failure",
  );
  if (!verified || !user || user.status !== "active") {
    // A passkey alone is the first factor here, so its failure is a failed sign-in (no account:
    // none was typed, and an unverified assertion names nobody for certain).
    countSignIn("password_failed", { ip: input.context.ip });
    await recordAuditFailure({
      action: "auth.sign_in_failed",
      actor: { kind: "anonymous" },
      context: input.context,
      details: { method: "passkey", reason: !verified ? "unverified" : "inactive" },
    });
    throw new AppError(
      "unauthenticated",
      "That passkey could not sign you in. Use your password instead, or try another passkey.",
    );
  }
  const attempt = await db.$transaction(async (tx) => {
    const created = await createAttempt(tx, {
      userId: user.id,
      factorsPassed: [webauthnProof(true, verified.deviceBound)],
      context: input.context,
    });
    await recordAudit(tx, {
      action: "auth.mfa_verified",
      actor: { kind: "user", id: user.id, display: user.email },
      target: { kind: "user", id: user.id, display: user.email },
      context: input.context,
      details: { method: "passkey" },
    });
    return created;
  });
  return { attemptToken: attempt.token };
}
