import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { recordAuditFailure } from "../audit/record-failure.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { getConfig } from "../config/env.ts";
import { db, type Tx } from "../db/client.ts";
import { AppError, Conflict, Invalid, RateLimited, SessionRequired } from "../errors/app-error.ts";
import { limiter } from "../limits/limiter.ts";
import { mailConfigured, sendMail, type Mail } from "../mail/mailer.ts";
import { consumeCode, issueCode } from "../one-time-codes/one-time-codes.ts";

/**
 * Issue 15: an address is verified only when someone proved they read it, by using a one-time link
 * Keyward itself mailed there: the link's row records the address it was mailed to (`sentTo`), and
 * only a link whose `sentTo` is the account's current address counts. A link an administrator was
 * shown and passed on proves nothing about the mailbox; any change of the address clears the proof
 * (manage-user.ts). This is what the OpenID provider reports as `email_verified`.
 *
 * Two links prove it: a password-reset link that was mailed (password-reset.ts), and the link My
 * account's "Verify your email" mails (below).
 */
export function emailVerified(user: { emailVerifiedAt: Date | null }): boolean {
  return user.emailVerifiedAt !== null;
}

/**
 * Records the proof, in the transaction that used the mailed link. Conditional on the account
 * still having that address, so an email change committed meanwhile never inherits it. True when
 * this call verified it (false when it already was, or the address moved).
 */
export async function markEmailVerified(tx: Tx, user: { id: string; email: string }): Promise<boolean> {
  const { count } = await tx.user.updateMany({
    where: { id: user.id, email: user.email, emailVerifiedAt: null },
    data: { emailVerifiedAt: new Date() },
  });
  return count === 1;
}

/**
 * When an account's address changes, the links mailed to the old one stop working: whoever reads
 * that mailbox no longer speaks for the account, and a link it received must not verify the new
 * one. Reset links an administrator was shown go too (as before): the new address starts afresh.
 */
export async function revokeLinksOfOldAddress(tx: Tx, userId: string): Promise<void> {
  await tx.oneTimeCode.updateMany({
    where: {
      purpose: { in: ["password_reset", "email_verification"] },
      userId,
      usedAt: null,
      revokedAt: null,
    },
    data: { revokedAt: new Date() },
  });
}

/** A day: long enough to reach a mailbox read once a day, short enough not to lie around. */
export const EMAIL_VERIFICATION_TTL_SECONDS = 24 * 60 * 60;

/** Asking for links, per account: nobody floods their own (or, through a session, anyone's) mailbox. */
export const VERIFICATION_SEND_PER_USER = {
  name: "email_verification_send_user",
  points: 3,
  durationSeconds: 60 * 60,
} as const;
/** Using links: a 256-bit secret cannot be guessed, but nobody gets to try a million. */
export const VERIFICATION_COMPLETE_PER_IP = {
  name: "email_verification_complete_ip",
  points: 20,
  durationSeconds: 15 * 60,
} as const;

/** The secret travels in the fragment: browsers never send it to a server, a proxy log or a Referer. */
export function emailVerificationLink(code: string): string {
  return new URL(`/verify-email#${code}`, getConfig().publicUrl).href;
}

function verificationMail(to: string, link: string): Mail {
  return {
    to,
    subject: "Verify your Keyward email address",
    text: [
      "Someone signed in to your Keyward account (hopefully you) asked to verify this email address.",
      "",
      `Open this link within the next 24 hours and press Verify: ${link}`,
      "",
      "The link works once. If you did not ask for it, ignore this message: nothing changes.",
    ].join("\n"),
  };
}

/**
 * "Verify your email" on My account: mails a one-time link (256 random bits, stored hashed, single
 * use, 24 hours) to the account's own address; the earlier unused ones stop working. A signed-in
 * person only: a bearer credential never creates a one-time link (ADR 0010). No step-up: the link
 * goes only to the address the account already has, and using it changes nothing but the proof.
 */
export async function sendEmailVerification(input: {
  actor: Principal;
  context: RequestContext;
}): Promise<{ email: string; expiresAt: Date }> {
  const { actor } = input;
  if (actor.kind !== "user") {
    throw SessionRequired("Only a signed-in person can ask for a verification link: not an API credential.");
  }
  if (!mailConfigured()) throw Conflict("Verifying an address needs email, which is not configured here.");
  const current = await db.user.findUnique({ where: { id: actor.userId } });
  if (current && emailVerified(current)) throw Conflict("Your email address is already verified.");
  const limit = await limiter(VERIFICATION_SEND_PER_USER).consume(actor.userId);
  if (!limit.allowed) {
    throw RateLimited(
      limit.retryAfterSeconds,
      "You asked for several verification links in a short time. Use the newest one, or try again later.",
    );
  }

  const issued = await db.$transaction(async (tx) => {
    // Locked, so that an email change (which revokes the links of the old address) either waits
    // for this link and revokes it, or commits first and this reads the new address.
    await tx.$queryRaw`SELECT id FROM "User" WHERE id = ${actor.userId} FOR UPDATE`;
    const user = await tx.user.findUnique({ where: { id: actor.userId } });
    if (!user || user.status !== "active") throw Conflict("This account cannot verify an address now.");
    if (emailVerified(user)) throw Conflict("Your email address is already verified.");
    const code = await issueCode(tx, {
      purpose: "email_verification",
      userId: user.id,
      createdBy: user.id,
      sentTo: user.email,
      ttlSeconds: EMAIL_VERIFICATION_TTL_SECONDS,
      format: "link",
    });
    await recordAudit(tx, {
      action: "user.email_verification_sent",
      actor: auditActor(actor),
      target: { kind: "user", id: user.id, display: user.email },
      context: input.context,
      details: { expiresAt: code.expiresAt.toISOString() },
    });
    return {
      id: code.id,
      email: user.email,
      link: emailVerificationLink(code.code),
      expiresAt: code.expiresAt,
    };
  });

  try {
    await sendMail(verificationMail(issued.email, issued.link));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`[${input.context.requestId}] could not send an email-verification link: ${reason}`);
    // Nobody is shown this link; it goes, so that no copy outlives the failure.
    await db.oneTimeCode.updateMany({
      where: { id: issued.id, usedAt: null, revokedAt: null },
      data: { revokedAt: new Date() },
    });
    await recordAuditFailure({
      action: "user.email_verification_sent",
      actor: auditActor(actor),
      target: { kind: "user", id: actor.userId, display: issued.email },
      context: input.context,
      details: { reason: "mail_failed" },
    });
    throw new AppError("unavailable", "The email could not be sent. Try again later.");
  }
  return { email: issued.email, expiresAt: issued.expiresAt };
}

const FAILURES = {
  unknown: "This verification link is not valid. Send a new one from My account.",
  used: "This verification link has already been used, or a newer link or a change of address replaced it. Send a new one from My account.",
  expired: "This verification link has expired. Send a new one from My account.",
  moved:
    "This verification link was sent to an address your account no longer has. Send a new one from My account.",
} as const;

/**
 * The verification link's page, after its Verify button (a link scanner that only fetches the page
 * consumes nothing): uses the link up and marks the address it was mailed to as verified, in one
 * transaction with the audit event. Works signed in or not: the link is the proof.
 */
export async function verifyEmail(input: {
  code: string;
  context: RequestContext;
}): Promise<{ email: string }> {
  const limit = await limiter(VERIFICATION_COMPLETE_PER_IP).consume(input.context.ip || "unknown");
  if (!limit.allowed) throw RateLimited(limit.retryAfterSeconds);

  const outcome = await db.$transaction(async (tx) => {
    const consumed = await consumeCode(tx, {
      purpose: "email_verification",
      code: input.code,
      format: "link",
    });
    if (!consumed.ok) return { error: consumed.reason } as const;
    const user = await tx.user.findUnique({ where: { id: consumed.userId ?? "" } });
    if (!user || user.status !== "active") return { error: "used" } as const;
    if (consumed.sentTo === null || consumed.sentTo !== user.email) return { error: "moved" } as const;
    if (!(await markEmailVerified(tx, user))) {
      // Either a mailed reset link proved it meanwhile (verified all the same), or the address
      // changed since it was read above (the update sees the latest commit): read it again.
      const now = await tx.user.findUnique({ where: { id: user.id } });
      if (now?.email !== user.email || !emailVerified(now)) return { error: "moved" } as const;
    }
    const account = { kind: "user", id: user.id, display: user.email } as const;
    await recordAudit(tx, {
      action: "user.email_verified",
      actor: account,
      target: account,
      context: input.context,
    });
    return { email: user.email } as const;
  });
  if (outcome.email !== undefined) return { email: outcome.email };
  await recordAuditFailure({
    action: "user.email_verified",
    actor: { kind: "anonymous" },
    context: input.context,
    details: { reason: outcome.error },
  });
  const message = FAILURES[outcome.error];
  throw Invalid(message, [{ path: "code", message }]);
}
