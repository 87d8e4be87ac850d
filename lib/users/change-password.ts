import { z } from "zod";

import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { recordAuditFailure } from "../audit/record-failure.ts";
import type { RequestContext, UserPrincipal } from "../auth/principal.ts";
import { revokeOtherSessions } from "../auth/sessions.ts";
import { reauthLimiter } from "../auth/sign-in-limits.ts";
import { hashPassword, verifyPassword } from "../crypto/password.ts";
import { db } from "../db/client.ts";
import { Conflict, Invalid, RateLimited } from "../errors/app-error.ts";
import { assertAcceptablePassword } from "./password-policy.ts";
import { newPasswordSchema, passwordInputSchema } from "./schemas.ts";

export const changePasswordSchema = z
  .object({
    currentPassword: passwordInputSchema,
    password: newPasswordSchema,
    confirm: z.string().max(1024),
    endOtherSessions: z.boolean().default(true),
  })
  .refine((input) => input.password === input.confirm, {
    path: ["confirm"],
    message: "The two passwords differ.",
  });
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

/**
 * A new password for the signed-in user: the current one first (counted against the same
 * per-user limit as re-authentication, so this form is no side door for guessing), the NIST rules, and by
 * default every other session ends (a password changed because it leaked must lock the thief out).
 */
export async function changePassword(
  input: ChangePasswordInput & { actor: UserPrincipal; context: RequestContext },
): Promise<{ endedSessions: number }> {
  const { actor } = input;
  const limit = await reauthLimiter().consume(actor.userId);
  if (!limit.allowed) throw RateLimited(limit.retryAfterSeconds);
  const credential = await db.passwordCredential.findUnique({ where: { userId: actor.userId } });
  if (!credential) throw Conflict("This account has no password to change.");
  if (!(await verifyPassword(credential.hash, input.currentPassword))) {
    await recordAuditFailure({
      action: "user.password_change_failed",
      actor: auditActor(actor),
      target: { kind: "user", id: actor.userId, display: actor.email },
      context: input.context,
    });
    throw Invalid("Your current password is not right.", [
      { path: "currentPassword", message: "That is not your current password." },
    ]);
  }
  if (input.password === input.currentPassword) {
    throw Invalid("Choose a password different from the current one.", [
      { path: "password", message: "Choose a password different from the current one." },
    ]);
  }
  assertAcceptablePassword(input.password, { email: actor.email });
  const hash = await hashPassword(input.password);
  await reauthLimiter().reward(actor.userId);
  return db.$transaction(async (tx) => {
    await tx.passwordCredential.update({ where: { userId: actor.userId }, data: { hash } });
    const endedSessions = input.endOtherSessions
      ? await revokeOtherSessions(tx, actor.userId, actor.sessionId, "password_changed")
      : 0;
    await recordAudit(tx, {
      action: "user.password_changed",
      actor: auditActor(actor),
      target: { kind: "user", id: actor.userId, display: actor.email },
      context: input.context,
      details: { endedSessions },
    });
    return { endedSessions };
  });
}
