import { recordAudit } from "../../audit/record-audit.ts";
import { recordAuditFailure } from "../../audit/record-failure.ts";
import { verifyAgainstDummy, verifyPassword } from "../../crypto/password.ts";
import { db } from "../../db/client.ts";
import { AppError, RateLimited } from "../../errors/app-error.ts";
import type { RequestContext } from "../principal.ts";
import { countLockout, countSignIn } from "../sign-in-counts.ts";
import { accountLimiter, deviceLimiter, ipLimiter } from "../sign-in-limits.ts";
import { secondFactorKinds } from "../../mfa/factors.ts";
import { createAttempt } from "./attempts.ts";
import { deviceIdFor, issueDeviceToken } from "./device-cookie.ts";
import type { PasswordSignInInput } from "./schemas.ts";

/** One message for unknown email, wrong password and unusable account: nothing to enumerate. */
export const BAD_CREDENTIALS = "Email or password is incorrect.";

export type PasswordStepResult = {
  attemptToken: string;
  /** For the device cookie: this browser has given the right password for this account. */
  deviceToken: string;
  expiresAt: Date;
  /** "complete": exchange the attempt for a session now; "mfa": a second factor first. */
  next: "complete" | "mfa";
  factors: ("totp" | "webauthn" | "recovery")[];
};

/**
 * The first step of a sign-in. It never creates a session: it records a server-side attempt that the
 * next steps (second factors, then the session exchange) build on.
 */
export async function startPasswordSignIn(
  input: PasswordSignInInput & { context: RequestContext; deviceToken?: string },
): Promise<PasswordStepResult> {
  const { email, password, context } = input;
  const ipKey = context.ip || "unknown";
  const user = await db.user.findUnique({ where: { email }, include: { password: true } });
  // The device cookie names the account and its current password: a new password (a reset after a
  // leak) voids every device cookie issued for the old one.
  const passwordHash = user?.password?.hash ?? "";
  const deviceId = deviceIdFor(input.deviceToken, email, passwordHash);
  // A browser this account has used before has its own budget: a flood against the account from
  // elsewhere does not lock its owner out of it.
  const [guessLimiter, guessKey] = deviceId ? [deviceLimiter(), deviceId] : [accountLimiter(), email];
  for (const [limit, key, lock] of [
    [ipLimiter(), ipKey, `ip:${ipKey}`],
    [guessLimiter, guessKey, `${deviceId ? "device" : "account"}:${guessKey}`],
  ] as const) {
    const result = await limit.consume(key);
    if (!result.allowed) {
      countLockout(`signin:${lock}`, result.retryAfterSeconds, { ip: context.ip, account: email });
      await recordAuditFailure({
        action: "auth.sign_in_throttled",
        actor: { kind: "anonymous", display: email },
        context,
        details: { email },
      });
      const minutes = Math.ceil(result.retryAfterSeconds / 60);
      throw RateLimited(
        result.retryAfterSeconds,
        `Too many sign-in attempts. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
      );
    }
  }

  const valid = user?.password
    ? await verifyPassword(user.password.hash, password)
    : await verifyAgainstDummy(password);
  if (!user || !valid || user.status !== "active") {
    countSignIn("password_failed", { ip: context.ip, account: email });
    await recordAuditFailure({
      action: "auth.sign_in_failed",
      actor: { kind: "anonymous", display: email },
      target: user ? { kind: "user", id: user.id, display: user.email } : undefined,
      context,
      details: {
        email,
        reason: !user ? "unknown_email" : !valid ? "wrong_password" : `status_${user.status}`,
      },
    });
    throw new AppError("unauthenticated", BAD_CREDENTIALS);
  }

  // The right password: this source is not guessing, and the account's counter starts again.
  await ipLimiter().reward(ipKey);
  await guessLimiter.reset(guessKey);
  const attempt = await db.$transaction(async (tx) => {
    const created = await createAttempt(tx, { userId: user.id, factorsPassed: ["pwd"], context });
    await recordAudit(tx, {
      action: "auth.password_verified",
      actor: { kind: "user", id: user.id, display: user.email },
      target: { kind: "user", id: user.id, display: user.email },
      context,
    });
    return created;
  });
  const factors = await secondFactorKinds(db, user.id);
  return {
    deviceToken: issueDeviceToken(email, passwordHash, deviceId ?? undefined),
    attemptToken: attempt.token,
    expiresAt: attempt.expiresAt,
    next: factors.length > 0 ? "mfa" : "complete",
    factors,
  };
}
