import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { db } from "../db/client.ts";
import { NotFound } from "../errors/app-error.ts";
import { authorize, can } from "../policy/authorize.ts";
import { getSettings } from "../settings/settings.ts";
import { assertCanManageUser } from "../users/admin-guard.ts";
import type { Principal, RequestContext, UserPrincipal } from "./principal.ts";
import { revokeSession, revokeUserSessions } from "./sessions.ts";
import { assertRecentAuth } from "./step-up.ts";
import { describeUserAgent } from "./user-agent.ts";
import { appsHearSessionsEnded } from "../oidc/sso-logout.ts";

export type SessionView = {
  id: string;
  /** "Chrome 131 on Windows" */
  device: string;
  ip: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  /** Authentication methods (RFC 8176): pwd, otp, hwk, swk, mfa. */
  amr: string[];
  /** The session of the browser asking. */
  current: boolean;
};

/** Sessions that still work: not revoked, not past their lifetime, not idle too long. */
async function activeSessions(userId: string, currentId?: string): Promise<SessionView[]> {
  const now = new Date();
  const idleMs = (await getSettings(db)).sessionIdleMinutes * 60_000;
  const rows = await db.session.findMany({
    where: {
      userId,
      revokedAt: null,
      expiresAt: { gt: now },
      lastSeenAt: { gt: new Date(now.getTime() - idleMs) },
    },
    orderBy: { lastSeenAt: "desc" },
    take: 100,
  });
  return rows.map((row) => ({
    id: row.id,
    device: describeUserAgent(row.userAgent),
    ip: row.ip,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    expiresAt: row.expiresAt,
    amr: row.amr,
    current: row.id === currentId,
  }));
}

/** The signed-in user's own sessions, this one marked. */
export async function listMySessions(actor: UserPrincipal): Promise<SessionView[]> {
  return activeSessions(actor.userId, actor.sessionId);
}

/** A user's sessions, for an administrator (users.read). */
export async function listUserSessions(actor: Principal, userId: string): Promise<SessionView[]> {
  authorize(actor, "users.read");
  if (!(await db.user.findUnique({ where: { id: userId }, select: { id: true } }))) throw NotFound("user");
  return activeSessions(userId, actor.kind === "user" ? actor.sessionId : undefined);
}

/**
 * Ends one session: one's own (any of them, this one included), or, with users.write, anyone's
 * whom the actor may manage. That browser is signed out on its next request.
 */
export async function endSession(input: {
  actor: Principal;
  sessionId: string;
  /** When the caller names the user too (the API's path): the session must be theirs. */
  userId?: string;
  context: RequestContext;
}) {
  // Ending this browser's own session is signing out; ending any other needs a recent
  // authentication (ASVS 7.5.2), so a stolen session cannot lock the owner out of theirs.
  const current = input.actor.kind === "user" && input.actor.sessionId === input.sessionId;
  if (!current) await assertRecentAuth(input.actor);
  const userId = await db.$transaction(async (tx) => {
    const session = await tx.session.findFirst({
      where: { id: input.sessionId, revokedAt: null, ...(input.userId ? { userId: input.userId } : {}) },
      include: { user: { select: { id: true, email: true } } },
    });
    const own = input.actor.kind === "user" && session?.userId === input.actor.userId;
    // Someone else's session is "not found" to whoever may not see users at all.
    if (!session || (!own && !can(input.actor, "users.read"))) throw NotFound("session");
    if (!own) {
      authorize(input.actor, "users.write");
      await assertCanManageUser(tx, input.actor, session.userId);
    }
    await revokeSession(tx, session.id, own ? "signed_out_elsewhere" : "ended_by_admin");
    await recordAudit(tx, {
      action: "session.revoked",
      actor: auditActor(input.actor),
      target: { kind: "user", id: session.user.id, display: session.user.email },
      context: input.context,
      details: { scope: "one", session: session.id, device: describeUserAgent(session.userAgent) },
    });
    return session.userId;
  });
  await appsHearSessionsEnded({ userId });
}

/** Ends every session of a user (users.write, a user the actor may manage): e.g. a lost laptop. */
export async function endUserSessions(input: { actor: Principal; userId: string; context: RequestContext }) {
  authorize(input.actor, "users.write");
  await assertRecentAuth(input.actor);
  const ended = await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: input.userId }, select: { id: true, email: true } });
    if (!user) throw NotFound("user");
    await assertCanManageUser(tx, input.actor, user.id);
    const ended = await revokeUserSessions(tx, user.id, "ended_by_admin");
    // A sign-in half-way through (password given, second factor pending) must not finish either.
    await tx.signInAttempt.deleteMany({ where: { userId: user.id } });
    await recordAudit(tx, {
      action: "session.revoked",
      actor: auditActor(input.actor),
      target: { kind: "user", id: user.id, display: user.email },
      context: input.context,
      details: { scope: "all", ended },
    });
    return ended;
  });
  await appsHearSessionsEnded({ userId: input.userId });
  return ended;
}

/**
 * Signs every user out of every browser but the actor's own (e.g. after a suspected breach).
 * System-wide, so it takes settings.write as well as users.write. API credentials are not touched:
 * revoke those separately.
 */
export async function endAllSessions(input: { actor: Principal; context: RequestContext }) {
  authorize(input.actor, "users.write");
  authorize(input.actor, "settings.write");
  await assertRecentAuth(input.actor);
  const keep = input.actor.kind === "user" ? input.actor.sessionId : "";
  const count = await db.$transaction(async (tx) => {
    const { count } = await tx.session.updateMany({
      where: { revokedAt: null, id: { not: keep } },
      data: { revokedAt: new Date(), revokedReason: "ended_by_admin" },
    });
    await tx.signInAttempt.deleteMany({});
    await recordAudit(tx, {
      action: "session.revoked",
      actor: auditActor(input.actor),
      context: input.context,
      details: { scope: "everyone", ended: count },
    });
    return count;
  });
  // Everyone's apps, off the request: there may be many to tell.
  void appsHearSessionsEnded("everyone");
  return count;
}
