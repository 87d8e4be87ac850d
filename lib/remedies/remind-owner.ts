import { auditActor } from "../audit/actor.ts";
import { lockAuditChain } from "../audit/chain-lock.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { AppError, Conflict, Invalid, NotFound, RateLimited } from "../errors/app-error.ts";
import { credentialReminderMail, type MailedCredential } from "../mail/credential-notice-mail.ts";
import { mailConfigured, sendMail } from "../mail/mailer.ts";
import { RISKS, type RiskKey } from "../overview/risks.ts";
import { authorize } from "../policy/authorize.ts";
import { WRITE_PERMISSION } from "./accept-risk.ts";
import { actorLabel } from "./credential-notices.ts";

/** At most one reminder per credential and risk list in this period. */
export const REMINDER_INTERVAL_MS = 86_400_000;

type Subject = {
  credential: MailedCredential;
  owner: { id: string; email: string };
  facts: { createdAt: Date; lastUsedAt: Date | null; expiresAt: Date | null };
};

/** The credential and its owner, or why there is nobody to remind. */
async function subjectOf(kind: "token" | "client", id: string): Promise<Subject> {
  if (kind === "token") {
    const token = await db.apiToken.findUnique({
      where: { id },
      include: { user: { select: { id: true, email: true, status: true } } },
    });
    if (!token) throw NotFound("token");
    if (token.revokedAt || (token.expiresAt && token.expiresAt <= new Date())) {
      throw Conflict("This token no longer works: there is nothing to remind its owner of.");
    }
    if (token.user.status !== "active") {
      throw Conflict("The owner of this token is not active: revoke the token instead.");
    }
    return {
      credential: { kind, id: token.id, name: token.name },
      owner: { id: token.user.id, email: token.user.email },
      facts: { createdAt: token.createdAt, lastUsedAt: token.lastUsedAt, expiresAt: token.expiresAt },
    };
  }
  const client = await db.apiClient.findUnique({
    where: { id },
    include: {
      owner: { select: { id: true, email: true, status: true } },
      secrets: { select: { expiresAt: true } },
    },
  });
  if (!client) throw NotFound("client");
  if (client.disabledAt) throw Conflict("This client is disabled: there is nothing to remind its owner of.");
  if (client.owner?.status !== "active") {
    throw Conflict("This client has no active owner to remind: reassign it or disable it.");
  }
  // When it stops: never while one secret never expires, else when the last one ends.
  const ends = client.secrets.map((secret) => secret.expiresAt);
  const expiresAt =
    ends.length === 0 || ends.includes(null)
      ? null
      : new Date(Math.max(...ends.map((end) => end?.getTime() ?? 0)));
  return {
    credential: { kind, id: client.id, name: client.name },
    owner: { id: client.owner.id, email: client.owner.email },
    facts: { createdAt: client.createdAt, lastUsedAt: client.lastUsedAt, expiresAt },
  };
}

/**
 * "Remind the owner" (issue 17): mails the owner of a token or client on a risk list, naming it,
 * why it is on the list and what to do, with the address of the page where they manage it; never a
 * secret. Needs SMTP, the list's read permission and tokens.write or clients.write. At most one
 * reminder per credential and list a day: the state is the audit log itself (the last
 * `credential.owner_reminded` event for the item and list), claimed under the audit chain's lock so
 * two clicks at once send one mail. The mail is sent after that claim commits; when the mail
 * server refuses it, a failure event follows (which frees the day's slot) and the caller hears so.
 */
export async function remindOwner(input: {
  actor: Principal;
  risk: RiskKey;
  targetId: string;
  context: RequestContext;
}): Promise<{ ownerId: string; sentAt: Date }> {
  const definition = RISKS[input.risk];
  const remedies: readonly string[] = definition.remedies;
  const kind = definition.targetKind;
  if (!remedies.includes("remind") || kind === "user") {
    throw Invalid(`The list ${input.risk} offers no reminder.`, [
      { path: "risk", message: "Choose a list of tokens or clients." },
    ]);
  }
  authorize(input.actor, definition.readPermission);
  authorize(input.actor, WRITE_PERMISSION[kind]);
  if (!mailConfigured()) {
    throw Conflict("Reminding an owner needs email, which is not configured here (SMTP_URL).");
  }
  const subject = await subjectOf(kind, input.targetId);
  const actor = auditActor(input.actor);
  const target = { kind, id: subject.credential.id, display: subject.credential.name };
  const details = { risk: input.risk, owner: subject.owner };
  const sentAt = await db.$transaction(async (tx) => {
    await lockAuditChain(tx);
    const now = new Date();
    const last = await tx.auditEvent.findFirst({
      where: {
        targetId: target.id,
        action: "credential.owner_reminded",
        occurredAt: { gt: new Date(now.getTime() - REMINDER_INTERVAL_MS) },
        details: { path: ["risk"], equals: input.risk },
      },
      orderBy: { id: "desc" },
      select: { occurredAt: true, outcome: true },
    });
    if (last?.outcome === "success") {
      const wait = last.occurredAt.getTime() + REMINDER_INTERVAL_MS - now.getTime();
      throw RateLimited(
        Math.max(1, Math.ceil(wait / 1000)),
        "The owner was already reminded about this in the last day: give them time to act.",
      );
    }
    await recordAudit(tx, {
      action: "credential.owner_reminded",
      actor,
      target,
      context: input.context,
      details,
    });
    return now;
  });
  try {
    await sendMail(
      credentialReminderMail({
        to: subject.owner.email,
        credential: subject.credential,
        risk: { label: definition.label, description: definition.description },
        facts: subject.facts,
        by: actorLabel(input.actor),
        at: sentAt,
      }),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`[${input.context.requestId}] could not send an owner reminder: ${reason}`);
    await db.$transaction((tx) =>
      recordAudit(tx, {
        action: "credential.owner_reminded",
        actor,
        target,
        outcome: "failure",
        context: input.context,
        details: { ...details, error: "mail_not_sent" },
      }),
    );
    throw new AppError("unavailable", "The mail server did not take the reminder: try again later.");
  }
  return { ownerId: subject.owner.id, sentAt };
}
