import { describe, expect, it } from "vitest";

import { codeOf, makePrincipal, makeUser, signedInCookie, TEST_CONTEXT } from "../../test/factories.ts";
import { db } from "../db/client.ts";
import { endOtherSessions } from "./end-other-sessions.ts";
import {
  endAllSessions,
  endSession,
  endUserSessions,
  listMySessions,
  listUserSessions,
} from "./manage-sessions.ts";
import { resolveSession } from "./sessions.ts";

const context = TEST_CONTEXT;

describe("sessions", () => {
  it("lists one's own sessions with the device, this one marked, and ends another one", async () => {
    const { user, principal } = await makePrincipal([]);
    const other = await signedInCookie(user.id);
    await db.session.update({
      where: { id: other.sessionId },
      data: {
        userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        ip: "198.51.100.9",
      },
    });
    const sessions = await listMySessions(principal);
    expect(sessions.map((s) => [s.id, s.current])).toEqual(
      expect.arrayContaining([
        [principal.sessionId, true],
        [other.sessionId, false],
      ]),
    );
    expect(sessions.find((s) => s.id === other.sessionId)).toMatchObject({
      device: "Firefox 133 on Linux",
      ip: "198.51.100.9",
    });

    await endSession({ actor: principal, sessionId: other.sessionId, context });
    expect(await resolveSession(other.sessionId)).toBeNull();
    expect(await resolveSession(principal.sessionId)).not.toBeNull();
    expect((await listMySessions(principal)).map((s) => s.id)).toEqual([principal.sessionId]);
  });

  it("does not list idle-expired, expired or revoked sessions", async () => {
    const { user, principal } = await makePrincipal([]);
    const idle = await signedInCookie(user.id);
    const expired = await signedInCookie(user.id);
    await db.session.update({
      where: { id: idle.sessionId },
      data: { lastSeenAt: new Date(Date.now() - 3 * 3_600_000) },
    });
    await db.session.update({
      where: { id: expired.sessionId },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect((await listMySessions(principal)).map((s) => s.id)).toEqual([principal.sessionId]);
  });

  it("lets a user manager end a member's sessions, but not an administrator's; others' are not found to a member", async () => {
    const member = await makeUser();
    const memberSession = await signedInCookie(member.id);
    const { principal: stranger } = await makePrincipal([]);
    expect(await codeOf(endSession({ actor: stranger, sessionId: memberSession.sessionId, context }))).toBe(
      "not_found",
    );
    expect(await codeOf(listUserSessions(stranger, member.id))).toBe("forbidden");

    const { principal: manager } = await makePrincipal(["user_manager"]);
    expect((await listUserSessions(manager, member.id)).map((s) => s.id)).toEqual([memberSession.sessionId]);
    await endSession({ actor: manager, sessionId: memberSession.sessionId, context });
    expect(await resolveSession(memberSession.sessionId)).toBeNull();

    const admin = await makeUser({ roles: ["admin"] });
    const adminSession = await signedInCookie(admin.id);
    expect(await codeOf(endSession({ actor: manager, sessionId: adminSession.sessionId, context }))).toBe(
      "forbidden",
    );
    expect(await codeOf(endUserSessions({ actor: manager, userId: admin.id, context }))).toBe("forbidden");
    expect(await resolveSession(adminSession.sessionId)).not.toBeNull();
  });

  it("ends every session of a user at once, and records it", async () => {
    const member = await makeUser();
    const first = await signedInCookie(member.id);
    const second = await signedInCookie(member.id);
    const { principal: admin } = await makePrincipal(["admin"]);
    expect(await endUserSessions({ actor: admin, userId: member.id, context })).toBe(2);
    expect(await resolveSession(first.sessionId)).toBeNull();
    expect(await resolveSession(second.sessionId)).toBeNull();
    const event = await db.auditEvent.findFirst({
      where: { action: "session.revoked", targetId: member.id },
      orderBy: { id: "desc" },
    });
    expect(event?.details).toMatchObject({ scope: "all", ended: 2 });
  });

  // ASVS 7.5.2: ending sessions other than this browser's needs a recent authentication, so that
  // a stolen session cannot sign its owner out; signing this browser out never does.
  it("asks for a recent sign-in before ending other sessions, not before signing this browser out", async () => {
    const { user, principal } = await makePrincipal(["admin"]);
    const other = await signedInCookie(user.id);
    const stale = { ...principal, authTime: new Date(Date.now() - 24 * 3600_000) };
    expect(await codeOf(endSession({ actor: stale, sessionId: other.sessionId, context }))).toBe(
      "step_up_required",
    );
    expect(await codeOf(endOtherSessions({ actor: stale, context }))).toBe("step_up_required");
    expect(await codeOf(endUserSessions({ actor: stale, userId: user.id, context }))).toBe(
      "step_up_required",
    );
    expect(await codeOf(endAllSessions({ actor: stale, context }))).toBe("step_up_required");
    expect(await resolveSession(other.sessionId)).not.toBeNull();
    expect(await codeOf(endSession({ actor: stale, sessionId: principal.sessionId, context }))).toBe("ok");
  });

  // ASVS 7.4.5: administrators can sign out every user at once; their own browser stays.
  it("signs every user out but the administrator doing it, who needs settings.write too", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { principal: manager } = await makePrincipal(["user_manager"]);
    const someone = await makeUser();
    const theirs = await signedInCookie(someone.id);
    expect(await codeOf(endAllSessions({ actor: manager, context }))).toBe("forbidden");
    expect(await resolveSession(theirs.sessionId)).not.toBeNull();

    const ended = await endAllSessions({ actor: admin, context });
    expect(ended).toBeGreaterThanOrEqual(2);
    expect(await resolveSession(theirs.sessionId)).toBeNull();
    expect(await resolveSession(manager.sessionId)).toBeNull();
    expect(await resolveSession(admin.sessionId)).not.toBeNull();
    const event = await db.auditEvent.findFirst({
      where: { action: "session.revoked", actorId: admin.userId },
    });
    expect(event?.details).toMatchObject({ scope: "everyone", ended });
  });
});
