import { noticeAccountChange } from "../account/security-notices.ts";
import { z } from "zod";

import type { AuditActor } from "../audit/actions.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { recordAuditFailure } from "../audit/record-failure.ts";
import type { RequestContext, UserPrincipal } from "../auth/principal.ts";
import { revokeOtherSessions } from "../auth/sessions.ts";
import { reauthLimiter } from "../auth/sign-in-limits.ts";
import { endSignInAttempts } from "../auth/sign-in/attempts.ts";
import { hashPassword, verifyPassword } from "../crypto/password.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, Invalid, RateLimited } from "../errors/app-error.ts";
import { revokeTokensInTx } from "../tokens/manage-tokens.ts";
import { assertAcceptablePassword } from "./password-policy.ts";
import { newPasswordSchema, passwordInputSchema } from "./schemas.ts";
import { appsHearSessionsEnded } from "../oidc/sso-logout.ts";

export const changePasswordSchema = z
  .object({
    currentPassword: passwordInputSchema,
    password: newPasswordSchema,
    confirm: z.string().max(1024),
    endOtherSessions: z.boolean().default(true),
    /** Also revoke every personal API token (API clients stay): the default, see changePassword. */
    revokeTokens: z.boolean().default(true),
  })
  .refine((input) => input.password === input.confirm, {
    path: ["confirm"],
    message: "The two passwords differ.",
  });
export type ChangePasswordInput = z.infer<typeof changePasswordSchema>;

/**
 * What a password change does to the user's API credentials, for the form to say before: their
 * active personal tokens are revoked (unless they untick it), the API clients they own stay.
 */
export async function passwordChangeEffects(
  actor: UserPrincipal,
): Promise<{ activeTokens: number; clients: { id: string; name: string }[] }> {
  const [activeTokens, clients] = await Promise.all([
    db.apiToken.count({ where: activeTokensOf(actor.userId, new Date()) }),
    db.apiClient.findMany({
      where: { ownerId: actor.userId },
      select: { id: true, name: true },
      orderBy: { name: "asc" },
      take: 50,
    }),
  ]);
  return { activeTokens, clients };
}

const activeTokensOf = (userId: string, now: Date) => ({
  userId,
  revokedAt: null,
  OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
});

/**
 * Revokes the account's active personal tokens inside a password change or reset, through the one
 * revocation (lib/tokens): cache invalidation in this transaction, an audit event per token.
 */
export async function revokeAccountTokens(
  tx: Tx,
  input: { userId: string; actor: AuditActor; context: RequestContext; reason: string },
): Promise<number> {
  const tokens = await tx.apiToken.findMany({
    where: activeTokensOf(input.userId, new Date()),
    select: { id: true, name: true, user: { select: { id: true, email: true } } },
  });
  await revokeTokensInTx(tx, { ...input, tokens });
  return tokens.length;
}

/**
 * A new password for the signed-in user: the current one first (counted against the same
 * per-user limit as re-authentication, so this form is no side door for guessing), the NIST rules.
 * A password changed because it leaked must lock the thief out: by default every other session
 * ends and every personal token is revoked (a thief who had the password could mint them; the user
 * may keep them, e.g. when changing a password that never leaked); API clients stay, their secrets
 * were never derived from the password. Sign-ins half done with the old password always end.
 */
export async function changePassword(
  input: Omit<ChangePasswordInput, "revokeTokens"> & {
    revokeTokens?: boolean;
    actor: UserPrincipal;
    context: RequestContext;
  },
): Promise<{ endedSessions: number; revokedTokens: number }> {
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
  const effects = await db.$transaction(async (tx) => {
    await tx.passwordCredential.update({ where: { userId: actor.userId }, data: { hash } });
    const endedSessions = input.endOtherSessions
      ? await revokeOtherSessions(tx, actor.userId, actor.sessionId, "password_changed")
      : 0;
    const endedSignIns = await endSignInAttempts(tx, actor.userId);
    const revokedTokens =
      (input.revokeTokens ?? true)
        ? await revokeAccountTokens(tx, {
            userId: actor.userId,
            actor: auditActor(actor),
            context: input.context,
            reason: "password_changed",
          })
        : 0;
    await recordAudit(tx, {
      action: "user.password_changed",
      actor: auditActor(actor),
      target: { kind: "user", id: actor.userId, display: actor.email },
      context: input.context,
      details: { endedSessions, endedSignIns, revokedTokens },
    });
    return { endedSessions, revokedTokens };
  });
  if (effects.endedSessions > 0) await appsHearSessionsEnded({ userId: actor.userId });
  noticeAccountChange({
    userId: actor.userId,
    actor,
    action: "user.password_changed",
    context: input.context,
  });
  return effects;
}
