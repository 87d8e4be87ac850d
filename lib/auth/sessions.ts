import { newId } from "../crypto/ids.ts";
import { db, type Tx } from "../db/client.ts";
import { GRANT_SELECT, splitGrants } from "../apis/built-in-api.ts";
import { getSettings } from "../settings/settings.ts";
import type { RequestContext, UserPrincipal } from "./principal.ts";

/** Last-seen is written at most this often, so a busy session does not write on every request. */
export const LAST_SEEN_WRITE_MS = 60_000;

export type NewSession = { userId: string; amr: string[]; mfa: boolean; context: RequestContext };

export async function createSession(tx: Tx, input: NewSession): Promise<{ id: string; expiresAt: Date }> {
  const settings = await getSettings(tx);
  const now = new Date();
  const expiresAt = new Date(now.getTime() + settings.sessionAbsoluteHours * 3_600_000);
  const id = newId("ses");
  await tx.session.create({
    data: {
      id,
      userId: input.userId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt,
      authTime: now,
      mfaTime: input.mfa ? now : null,
      amr: input.amr,
      userAgent: input.context.userAgent.slice(0, 512),
      ip: input.context.ip,
    },
  });
  return { id, expiresAt };
}

/**
 * The session row behind a JWT, as a principal; null when the row is gone, revoked, idle too long,
 * past its absolute lifetime, or its user is no longer active. Permissions are read fresh from the
 * user's roles, so a role change applies on the very next request.
 */
export async function resolveSession(sessionId: string, now = new Date()): Promise<UserPrincipal | null> {
  const session = await db.session.findUnique({
    where: { id: sessionId },
    include: {
      user: {
        select: {
          id: true,
          email: true,
          name: true,
          status: true,
          roles: { select: { role: { select: { grants: GRANT_SELECT, requiresMfa: true } } } },
          totpFactors: { where: { activatedAt: { not: null } }, select: { id: true }, take: 1 },
          webauthnCreds: { select: { id: true }, take: 1 },
        },
      },
    },
  });
  if (!session || session.revokedAt || session.user.status !== "active") return null;
  const settings = await getSettings(db);
  if (session.expiresAt <= now) return null;
  if (now.getTime() - session.lastSeenAt.getTime() > settings.sessionIdleMinutes * 60_000) return null;
  if (now.getTime() - session.lastSeenAt.getTime() >= LAST_SEEN_WRITE_MS) {
    await db.session.update({ where: { id: session.id }, data: { lastSeenAt: now } });
  }
  const permissions = new Set(splitGrants(session.user.roles.flatMap(({ role }) => role.grants)).permissions);
  const hasFactor = session.user.totpFactors.length + session.user.webauthnCreds.length > 0;
  const mfaRequired = settings.mfaRequiredForAll || session.user.roles.some(({ role }) => role.requiresMfa);
  return {
    kind: "user",
    userId: session.user.id,
    email: session.user.email,
    name: session.user.name,
    sessionId: session.id,
    permissions,
    authTime: session.authTime,
    mfaTime: session.mfaTime,
    amr: session.amr,
    mustEnrollMfa: mfaRequired && !hasFactor,
  };
}

export async function revokeSession(tx: Tx, sessionId: string, reason: string): Promise<boolean> {
  const { count } = await tx.session.updateMany({
    where: { id: sessionId, revokedAt: null },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return count === 1;
}

export async function revokeUserSessions(tx: Tx, userId: string, reason: string): Promise<number> {
  const { count } = await tx.session.updateMany({
    where: { userId, revokedAt: null },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return count;
}

/** Every session of the user but this one (e.g. after changing a factor or password). */
export async function revokeOtherSessions(
  tx: Tx,
  userId: string,
  keepSessionId: string,
  reason: string,
): Promise<number> {
  const { count } = await tx.session.updateMany({
    where: { userId, revokedAt: null, id: { not: keepSessionId } },
    data: { revokedAt: new Date(), revokedReason: reason },
  });
  return count;
}

/**
 * A new session id for the same sign-in (OWASP ASVS 7.2.4): after re-authentication the old id, which
 * may have been seen before, stops working. Lifetime and creation time carry over.
 */
export async function rotateSession(
  tx: Tx,
  sessionId: string,
  proof: { authTime: Date; mfaTime?: Date; amr?: string[] },
): Promise<string> {
  const old = await tx.session.findUniqueOrThrow({ where: { id: sessionId } });
  const id = newId("ses");
  await tx.session.create({
    data: {
      id,
      userId: old.userId,
      createdAt: old.createdAt,
      lastSeenAt: proof.authTime,
      expiresAt: old.expiresAt,
      authTime: proof.authTime,
      mfaTime: proof.mfaTime ?? old.mfaTime,
      // How the user proved themselves this time, when it says more than the sign-in did (apps
      // read it as `amr` and `acr`: a passkey step-up makes the session phishing-resistant).
      amr: proof.amr ?? old.amr,
      userAgent: old.userAgent,
      ip: old.ip,
    },
  });
  await revokeSession(tx, sessionId, "rotated");
  // Apps' single sign-on stands on this session (ADR 0012): it follows the new id.
  await tx.oidcPayload.updateMany({ where: { sessionId }, data: { sessionId: id } });
  return id;
}
