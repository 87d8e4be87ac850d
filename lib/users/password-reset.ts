import { noticeAccountChange } from "../account/security-notices.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { recordAuditFailure } from "../audit/record-failure.ts";
import { accountableUserId, type Principal, type RequestContext } from "../auth/principal.ts";
import { revokeUserSessions } from "../auth/sessions.ts";
import { endSignInAttempts } from "../auth/sign-in/attempts.ts";
import { assertFreshSession } from "../auth/step-up.ts";
import { accountLimiter } from "../auth/sign-in-limits.ts";
import { getConfig } from "../config/env.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, NotFound, RateLimited } from "../errors/app-error.ts";
import { limiter } from "../limits/limiter.ts";
import { mailConfigured, sendMail, type Mail } from "../mail/mailer.ts";
import { issueCode, markShown } from "../one-time-codes/one-time-codes.ts";
import { authorize } from "../policy/authorize.ts";
import { assertCanManageUser } from "./admin-guard.ts";
import { revokeAccountTokens } from "./change-password.ts";
import { markEmailVerified } from "./email-verification.ts";
import { setPasswordFromLink } from "./set-password-from-link.ts";
import { appsHearSessionsEnded } from "../oidc/sso-logout.ts";

/**
 * Password reset by a one-time link: 256 random bits in the URL fragment, stored hashed, single
 * use, one hour. Sent by email when SMTP is configured (self-service or by an administrator), else
 * shown to the administrator to pass on. A reset sets the password and ends every session; it
 * never signs anyone in, so the next sign-in still asks for the second factor. A link records the
 * address it was mailed to; using one that was mailed to the account's address proves that address.
 */
export const PASSWORD_RESET_TTL_SECONDS = 60 * 60;

/** Asking for links: per address and per target email, so nobody floods a mailbox. */
export const RESET_REQUEST_PER_IP = {
  name: "reset_request_ip",
  points: 10,
  durationSeconds: 15 * 60,
} as const;
export const RESET_REQUEST_PER_EMAIL = {
  name: "reset_request_email",
  points: 3,
  durationSeconds: 60 * 60,
} as const;
/** Using links: a 256-bit secret cannot be guessed, but nobody gets to try a million. */
export const RESET_COMPLETE_PER_IP = {
  name: "reset_complete_ip",
  points: 20,
  durationSeconds: 15 * 60,
} as const;

export function passwordResetLink(code: string): string {
  return new URL(`/reset-password#${code}`, getConfig().publicUrl).href;
}

function resetMail(to: string, link: string): Mail {
  return {
    to,
    subject: "Reset your Keyward password",
    text: [
      "Someone (hopefully you) asked to reset the password of your Keyward account.",
      "",
      `Choose a new password here within the next hour: ${link}`,
      "",
      "The link works once. If you did not ask for it, ignore this message: your password stays as it is.",
    ].join("\n"),
  };
}

async function issueResetLink(
  tx: Tx,
  user: { id: string; email: string },
  options: { createdBy?: string; mailed: boolean },
) {
  const issued = await issueCode(tx, {
    purpose: "password_reset",
    userId: user.id,
    createdBy: options.createdBy,
    // Recorded before the mail goes: if it cannot go and the link is shown instead, markShown.
    sentTo: options.mailed ? user.email : undefined,
    ttlSeconds: PASSWORD_RESET_TTL_SECONDS,
    format: "link",
  });
  return { id: issued.id, link: passwordResetLink(issued.code), expiresAt: issued.expiresAt };
}

export type IssuedReset =
  | { delivery: "email"; email: string; expiresAt: Date }
  | { delivery: "shown"; email: string; link: string; expiresAt: Date; mailError?: string };

/**
 * An administrator starts a reset for an active user they may manage. With SMTP the link goes to
 * the user's address (and, if sending fails, to the administrator instead); without it the
 * administrator gets it once to pass on. Earlier unused links stop working.
 */
export async function issuePasswordReset(input: {
  actor: Principal;
  userId: string;
  context: RequestContext;
}): Promise<IssuedReset> {
  authorize(input.actor, "users.write");
  // The link may be shown to whoever asks: a takeover for anyone without a second factor. So only a
  // signed-in person under step-up gets one: never a bearer credential (a leaked token would mint
  // takeovers), never a stale session. Automation has no use for it.
  const actor = await assertFreshSession(input.actor);
  const email = mailConfigured();
  const issued = await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId } });
    if (!user) throw NotFound("user");
    await assertCanManageUser(tx, actor, user.id);
    if (user.status !== "active") {
      throw Conflict(
        user.status === "invited"
          ? "This user has not accepted their invitation yet: send a new invitation instead."
          : "This user is disabled: enable them before resetting their password.",
      );
    }
    const reset = await issueResetLink(tx, user, { createdBy: accountableUserId(actor), mailed: email });
    await recordAudit(tx, {
      action: "user.password_reset_issued",
      actor: auditActor(actor),
      target: { kind: "user", id: user.id, display: user.email },
      context: input.context,
      details: { delivery: email ? "email" : "shown", expiresAt: reset.expiresAt.toISOString() },
    });
    return { ...reset, email: user.email };
  });
  const shown = { email: issued.email, link: issued.link, expiresAt: issued.expiresAt };
  if (!email) return { delivery: "shown", ...shown };
  try {
    await sendMail(resetMail(issued.email, issued.link));
    return { delivery: "email", email: issued.email, expiresAt: issued.expiresAt };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`[${input.context.requestId}] could not send a password-reset link: ${reason}`);
    // The administrator is about to see it: from now on it proves nothing about the mailbox. If
    // this write fails the link is not shown (the error propagates).
    await markShown(db, issued.id);
    return { delivery: "shown", ...shown, mailError: "The email could not be sent." };
  }
}

/**
 * "Forgot your password?": when SMTP is configured, mails a link to an active account with that
 * address. The answer, and its timing, are the same whether or not such an account exists.
 */
export async function requestPasswordReset(input: { email: string; context: RequestContext }): Promise<void> {
  if (!mailConfigured()) {
    throw Conflict("Password reset by email is not set up here. Ask an administrator for a reset link.");
  }
  const byIp = await limiter(RESET_REQUEST_PER_IP).consume(input.context.ip || "unknown");
  if (!byIp.allowed) throw RateLimited(byIp.retryAfterSeconds);
  const byEmail = await limiter(RESET_REQUEST_PER_EMAIL).consume(input.email);
  // Silently: an error here would tell the caller that someone asked for this address before.
  if (!byEmail.allowed) return;

  // The work (and its timing) happens after the answer: known and unknown addresses are answered
  // alike, in the same time.
  void issueRequestedReset(input).catch((error: unknown) => {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`[${input.context.requestId}] could not handle a password-reset request: ${reason}`);
  });
}

async function issueRequestedReset(input: { email: string; context: RequestContext }): Promise<void> {
  const issued = await db.$transaction(async (tx) => {
    // Locked, so that an email change (which revokes the links of the old address) either waits
    // for this link and revokes it, or commits first and this no longer finds the old address.
    await tx.$queryRaw`SELECT id FROM "User" WHERE email = ${input.email} FOR UPDATE`;
    const user = await tx.user.findUnique({ where: { email: input.email } });
    if (!user || user.status !== "active") return null;
    // Only ever mailed, to the account's own address: using it proves that address.
    const reset = await issueResetLink(tx, user, { mailed: true });
    await recordAudit(tx, {
      action: "user.password_reset_requested",
      actor: { kind: "anonymous" },
      target: { kind: "user", id: user.id, display: user.email },
      context: input.context,
      details: { expiresAt: reset.expiresAt.toISOString() },
    });
    return { ...reset, email: user.email };
  });
  if (issued) await sendMail(resetMail(issued.email, issued.link));
  else
    await recordAuditFailure({
      action: "user.password_reset_requested",
      actor: { kind: "anonymous" },
      context: input.context,
      details: { reason: "no_active_account" },
    });
}

const REASONS = {
  unknown: "This password reset link is not valid. Ask for a new one.",
  used: "This password reset link has already been used or was replaced by a newer one.",
  expired: "This password reset link has expired. Ask for a new one.",
} as const;

/**
 * Sets the new password from a reset link, ends every session of the account (and any sign-in
 * half-way through, which used the old password) and revokes its personal tokens.
 */
export async function completePasswordReset(input: {
  code: string;
  password: string;
  context: RequestContext;
}): Promise<{ email: string }> {
  let userId = "";
  const { email } = await setPasswordFromLink({
    ...input,
    purpose: "password_reset",
    limit: RESET_COMPLETE_PER_IP,
    status: "active",
    reasons: REASONS,
    action: "user.password_reset",
    apply: async (tx, user, hash, link) => {
      userId = user.id;
      await tx.passwordCredential.upsert({
        where: { userId: user.id },
        create: { userId: user.id, hash },
        update: { hash },
      });
      const endedSessions = await revokeUserSessions(tx, user.id, "password_reset");
      await endSignInAttempts(tx, user.id);
      // Always, no option: a reset is the recovery from a possible compromise, and whoever had the
      // old password may have minted tokens with it. API clients stay (their secrets never came
      // from the password); the reset page says so.
      const revokedTokens = await revokeAccountTokens(tx, {
        userId: user.id,
        actor: { kind: "user", id: user.id, display: user.email },
        context: input.context,
        reason: "password_reset",
      });
      // A link Keyward mailed to this very address proves the mailbox (an email change revokes the
      // links of the old one, and markEmailVerified checks the address again). One shown to an
      // administrator, or mailed to an address the account no longer has, proves nothing.
      const emailVerified = link.sentTo === user.email && (await markEmailVerified(tx, user));
      return { endedSessions, revokedTokens, ...(emailVerified && { emailVerified }) };
    },
  });
  // Whoever was locked out by guesses against the old password can sign in with the new one.
  await accountLimiter().reset(email);
  await appsHearSessionsEnded({ userId });
  // The owner hears of it even when they asked for the link: whoever holds their mailbox can too.
  noticeAccountChange({ userId, actor: null, action: "user.password_reset", context: input.context });
  return { email };
}
