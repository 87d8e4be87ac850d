import { recordAudit } from "../../audit/record-audit.ts";
import { recordAuditFailure } from "../../audit/record-failure.ts";
import { verifyUserTotp } from "../../mfa/verify-user-totp.ts";
import { db } from "../../db/client.ts";
import { AppError, RateLimited, Unauthenticated } from "../../errors/app-error.ts";
import { limiter } from "../../limits/limiter.ts";
import { countSecondFactor } from "../../observability/metrics.ts";
import { consumeRecoveryCode } from "../../mfa/recovery-codes.ts";
import type { RequestContext } from "../principal.ts";
import { countLockout, countSignIn } from "../sign-in-counts.ts";
import { findAttempt } from "./attempts.ts";
import type { FactorProof } from "./factors.ts";

/** At most this many wrong codes per sign-in attempt; then the attempt is void. */
export const MAX_WRONG_CODES = 5;
/** Across attempts, wrong codes for one account slow further tries down. */
export const MFA_ACCOUNT_LIMIT = { name: "mfa_account", points: 10, durationSeconds: 15 * 60 } as const;

const EXPIRED = "Your sign-in has expired. Start again.";

/**
 * A second-factor step of a sign-in attempt: an authenticator code or a recovery code. A try is
 * reserved on the attempt before the code is checked (a conditional increment), so parallel
 * guesses cannot exceed the cap; a right code gives its try back.
 */
export async function verifySecondFactor(input: {
  attemptToken: string;
  method: "totp" | "recovery";
  code: string;
  context: RequestContext;
}): Promise<{ next: "complete" }> {
  return runFactorStep({
    attemptToken: input.attemptToken,
    context: input.context,
    method: input.method,
    check: async (userId) =>
      (
        input.method === "totp"
          ? await verifyUserTotp(userId, input.code)
          : await db.$transaction((tx) => consumeRecoveryCode(tx, userId, input.code))
      )
        ? "otp"
        : null,
  });
}

/** The attempt behind a token, or a clear 401 when it is gone or expired. */
export async function liveAttempt(attemptToken: string) {
  const attempt = await findAttempt(db, attemptToken);
  if (!attempt || attempt.expiresAt <= new Date()) throw Unauthenticated(EXPIRED);
  return attempt;
}

/**
 * One second-factor try against an attempt, whatever the method: limits, the reserved try, the
 * check, and on success the proof recorded on the attempt with its audit event.
 */
export async function runFactorStep(input: {
  attemptToken: string;
  context: RequestContext;
  method: "totp" | "recovery" | "webauthn";
  /** What the factor proved (lib/auth/sign-in/factors.ts), or null when it failed. */
  check: (userId: string) => Promise<FactorProof | null>;
}): Promise<{ next: "complete" }> {
  const attempt = await liveAttempt(input.attemptToken);
  const user = await db.user.findUnique({ where: { id: attempt.userId } });
  if (!user) throw Unauthenticated(EXPIRED);
  const actor = { kind: "user" as const, id: user.id, display: user.email };

  const account = await limiter(MFA_ACCOUNT_LIMIT).consume(user.id);
  if (!account.allowed) {
    // Wrong codes across attempts locked the account's second factor: a lockout too.
    countLockout(`mfa:${user.id}`, account.retryAfterSeconds, { ip: input.context.ip, account: user.email });
    countSecondFactor(input.method, "sign_in", "locked");
    throw RateLimited(
      account.retryAfterSeconds,
      "Too many wrong codes for this account. Wait a few minutes.",
    );
  }
  const reserved = await db.signInAttempt.updateMany({
    where: { id: attempt.id, failedCodes: { lt: MAX_WRONG_CODES } },
    data: { failedCodes: { increment: 1 } },
  });
  if (reserved.count !== 1) {
    await db.signInAttempt.deleteMany({ where: { id: attempt.id } });
    countSecondFactor(input.method, "sign_in", "voided");
    await recordAuditFailure({
      action: "auth.attempt_voided",
      actor,
      context: input.context,
      details: { reason: "too_many_wrong_codes" },
    });
    throw Unauthenticated("Too many wrong codes. Start signing in again.");
  }

  const proof = await input.check(user.id);
  if (!proof) {
    countSignIn("second_factor_failed", { ip: input.context.ip, account: user.email });
    countSecondFactor(input.method, "sign_in", "failure");
    const after = await db.signInAttempt.findUnique({
      where: { id: attempt.id },
      select: { failedCodes: true },
    });
    const left = MAX_WRONG_CODES - (after?.failedCodes ?? MAX_WRONG_CODES);
    await recordAuditFailure({
      action: "auth.mfa_failed",
      actor,
      context: input.context,
      details: { method: input.method, triesLeft: left },
    });
    const what =
      input.method === "webauthn"
        ? "That passkey or security key could not be verified."
        : "That code is not right.";
    throw new AppError(
      "unauthenticated",
      left > 0 ? `${what} ${left} ${left === 1 ? "try" : "tries"} left.` : `${what} Start signing in again.`,
      {
        fields: [{ path: "code", message: what }],
      },
    );
  }

  countSecondFactor(input.method, "sign_in", "success");
  await limiter(MFA_ACCOUNT_LIMIT).reward(user.id);
  await db.$transaction(async (tx) => {
    await tx.signInAttempt.update({
      where: { id: attempt.id },
      data: { failedCodes: { decrement: 1 }, factorsPassed: { push: proof } },
    });
    await recordAudit(tx, {
      action: "auth.mfa_verified",
      actor,
      target: { kind: "user", id: user.id, display: user.email },
      context: input.context,
      details: { method: input.method },
    });
  });
  return { next: "complete" };
}
