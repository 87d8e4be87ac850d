import { afterEach, describe, expect, it, vi } from "vitest";

import { makeUser, signedInCookie } from "../../test/factories.ts";
import { db } from "../db/client.ts";
import { builtInRoleId } from "../roles/ensure-built-in-roles.ts";
import { LAST_SEEN_WRITE_MS, resolveSession, revokeSession, revokeUserSessions } from "./sessions.ts";

afterEach(() => {
  vi.useRealTimers();
});

const later = (ms: number) => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + ms);
};

// Guarantee: a session ends when revoked, idle too long, past its lifetime, or its user is disabled.
describe("revocable sessions", () => {
  it("resolves a live session with the user's current permissions", async () => {
    const user = await makeUser({ roles: ["auditor"] });
    const { sessionId } = await signedInCookie(user.id);
    expect((await resolveSession(sessionId))?.permissions.has("audit.read")).toBe(true);
    // A role change applies on the very next request.
    await db.roleAssignment.create({
      data: { userId: user.id, roleId: await builtInRoleId(db, "developer") },
    });
    expect((await resolveSession(sessionId))?.permissions.has("tokens.create")).toBe(true);
  });

  it("ends at once when revoked", async () => {
    const user = await makeUser();
    const { sessionId } = await signedInCookie(user.id);
    await db.$transaction((tx) => revokeSession(tx, sessionId, "test"));
    expect(await resolveSession(sessionId)).toBeNull();
  });

  it("ends every session of a user at once", async () => {
    const user = await makeUser();
    const a = await signedInCookie(user.id);
    const b = await signedInCookie(user.id);
    expect(await db.$transaction((tx) => revokeUserSessions(tx, user.id, "test"))).toBe(2);
    expect(await resolveSession(a.sessionId)).toBeNull();
    expect(await resolveSession(b.sessionId)).toBeNull();
  });

  it("ends when the user is disabled", async () => {
    const user = await makeUser();
    const { sessionId } = await signedInCookie(user.id);
    await db.user.update({ where: { id: user.id }, data: { status: "disabled" } });
    expect(await resolveSession(sessionId)).toBeNull();
  });

  it("ends after 30 idle minutes, and activity keeps it alive", async () => {
    const user = await makeUser();
    const { sessionId } = await signedInCookie(user.id);
    later(20 * 60_000);
    expect(await resolveSession(sessionId)).not.toBeNull();
    later(20 * 60_000); // 20 minutes after the last activity, 40 after sign-in
    expect(await resolveSession(sessionId)).not.toBeNull();
    later(31 * 60_000);
    expect(await resolveSession(sessionId)).toBeNull();
  });

  it("ends after its 12-hour lifetime even when active", async () => {
    const user = await makeUser();
    const { sessionId } = await signedInCookie(user.id);
    for (let hour = 1; hour <= 11; hour++) {
      later(25 * 60_000);
      expect(await resolveSession(sessionId)).not.toBeNull();
    }
    vi.useRealTimers();
    await db.session.update({ where: { id: sessionId }, data: { expiresAt: new Date(Date.now() - 1) } });
    expect(await resolveSession(sessionId)).toBeNull();
  });

  it("writes last-seen at most once a minute", async () => {
    const user = await makeUser();
    const { sessionId } = await signedInCookie(user.id);
    const first = (await db.session.findUniqueOrThrow({ where: { id: sessionId } })).lastSeenAt;
    later(LAST_SEEN_WRITE_MS / 2);
    await resolveSession(sessionId);
    expect((await db.session.findUniqueOrThrow({ where: { id: sessionId } })).lastSeenAt).toEqual(first);
    later(LAST_SEEN_WRITE_MS);
    await resolveSession(sessionId);
    expect(
      (await db.session.findUniqueOrThrow({ where: { id: sessionId } })).lastSeenAt.getTime(),
    ).toBeGreaterThan(first.getTime());
  });
});
