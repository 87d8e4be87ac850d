import { amrFor, webauthnProof } from "./sign-in/factors.ts";
import type { z } from "zod";

import { recordAudit } from "../audit/record-audit.ts";
import { recordAuditFailure } from "../audit/record-failure.ts";
import { verifyPassword } from "../crypto/password.ts";
import { verifyUserTotp } from "../mfa/verify-user-totp.ts";
import { db } from "../db/client.ts";
import { AppError, RateLimited } from "../errors/app-error.ts";
import { hasSecondFactor } from "../mfa/factors.ts";
import { assertionOptions, verifyAssertion } from "../mfa/webauthn-authenticate.ts";
import { saveChallenge, takeChallenge } from "../mfa/webauthn-challenges.ts";
import type { authenticationResponseSchema } from "../mfa/webauthn-schemas.ts";
import { rotateSession } from "./sessions.ts";
import { reauthLimiter } from "./sign-in-limits.ts";
import type { RequestContext, UserPrincipal } from "./principal.ts";
import { countLockout, countSignIn } from "./sign-in-counts.ts";
import { countSecondFactor } from "../observability/metrics.ts";

/**
 * Step-up: the signed-in user proves again who they are (password, and an authenticator code when
 * they have a second factor). The session's auth time (and MFA time) move to now.
 */
export async function reauthenticate(input: {
  actor: UserPrincipal;
  password: string;
  code?: string;
  context: RequestContext;
}): Promise<{ sessionId: string }> {
  const { actor } = input;
  const limit = await reauthLimiter().consume(actor.userId);
  if (!limit.allowed) {
    countLockout(`reauth:${actor.userId}`, limit.retryAfterSeconds, {
      ip: input.context.ip,
      account: actor.email,
    });
    throw RateLimited(limit.retryAfterSeconds, "Too many attempts. Try again in a few minutes.");
  }
  const credential = await db.passwordCredential.findUnique({ where: { userId: actor.userId } });
  const needsCode = await hasSecondFactor(db, actor.userId);
  const passwordOk = credential ? await verifyPassword(credential.hash, input.password) : false;
  const codeOk = !needsCode || (input.code !== undefined && (await verifyUserTotp(actor.userId, input.code)));
  const audit = {
    actor: { kind: "user" as const, id: actor.userId, display: actor.email },
    target: { kind: "session", id: actor.sessionId },
    context: input.context,
  };
  // The code counts as a second-factor check once the password was right.
  if (needsCode && passwordOk) countSecondFactor("totp", "step_up", codeOk ? "success" : "failure");
  if (!passwordOk || !codeOk) {
    // Step-up failures are counted with sign-in's: a stolen session guessing the password shows.
    countSignIn(passwordOk ? "second_factor_failed" : "password_failed", {
      ip: input.context.ip,
      account: actor.email,
    });
    await recordAuditFailure({
      action: "auth.reauth_failed",
      ...audit,
      details: { reason: !passwordOk ? "password" : "code" },
    });
    const fields = [
      ...(!passwordOk ? [{ path: "password", message: "That password is not right." }] : []),
      ...(passwordOk && !codeOk
        ? [
            {
              path: "code",
              message:
                needsCode && !input.code
                  ? "Enter the code from your authenticator app."
                  : "That code is not right.",
            },
          ]
        : []),
    ];
    throw new AppError("unauthenticated", fields[0]?.message ?? "That did not match.", { fields });
  }
  await reauthLimiter().reward(actor.userId);
  const now = new Date();
  return db.$transaction(async (tx) => {
    const sessionId = await rotateSession(tx, actor.sessionId, {
      authTime: now,
      ...(needsCode ? { mfaTime: now, amr: amrFor(["pwd", "otp"]) } : {}),
    });
    await recordAudit(tx, { action: "auth.reauthenticated", ...audit, details: { mfa: needsCode } });
    return { sessionId };
  });
}

/** Step-up with a passkey: user verification makes it a complete multi-factor proof on its own. */
export async function stepUpPasskeyOptions(actor: UserPrincipal) {
  const options = await assertionOptions({ userId: actor.userId, userVerification: "required" });
  await saveChallenge("step_up", options.challenge, { userId: actor.userId });
  return options;
}

export async function reauthenticateWithPasskey(input: {
  actor: UserPrincipal;
  response: z.infer<typeof authenticationResponseSchema>;
  context: RequestContext;
}): Promise<{ sessionId: string }> {
  const { actor } = input;
  const expectedChallenge = await takeChallenge("step_up", { userId: actor.userId });
  const verified = await verifyAssertion({
    response: input.response,
    expectedChallenge,
    requireUserVerification: true,
    userId: actor.userId,
  });
  const audit = {
    actor: { kind: "user" as const, id: actor.userId, display: actor.email },
    target: { kind: "session", id: actor.sessionId },
    context: input.context,
  };
  countSecondFactor("webauthn", "step_up", verified ? "success" : "failure");
  if (!verified) {
    // A passkey with user verification is the whole proof here, as in a passwordless sign-in.
    countSignIn("password_failed", { ip: input.context.ip, account: actor.email });
    await recordAuditFailure({ action: "auth.reauth_failed", ...audit, details: { reason: "passkey" } });
    throw new AppError("unauthenticated", "That passkey could not be verified.");
  }
  const now = new Date();
  return db.$transaction(async (tx) => {
    const sessionId = await rotateSession(tx, actor.sessionId, {
      authTime: now,
      mfaTime: now,
      amr: amrFor([webauthnProof(true, verified.deviceBound)]),
    });
    await recordAudit(tx, {
      action: "auth.reauthenticated",
      ...audit,
      details: { mfa: true, method: "passkey" },
    });
    return { sessionId };
  });
}
