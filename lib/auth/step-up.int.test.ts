import { generate } from "otplib";
import { afterEach, describe, expect, it, vi } from "vitest";

import { makePrincipal, makeUser, TEST_CONTEXT } from "../../test/factories.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { confirmTotpEnrollment, startTotpEnrollment } from "../mfa/enroll-totp.ts";
import { regenerateRecoveryCodes, removeFactor } from "../mfa/manage-factors.ts";
import { resetUserMfa } from "../mfa/reset-user-mfa.ts";
import { disableUser } from "../users/manage-user.ts";
import { reauthenticate } from "./reauthenticate.ts";
import { resolveSession } from "./sessions.ts";

const context = TEST_CONTEXT;
const code = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );
const now = () => Math.floor(Date.now() / 1000);
afterEach(() => {
  vi.useRealTimers();
});
const later = (minutes: number) => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + minutes * 60_000);
};

// Guarantee: sensitive actions need an authentication within the last 10 minutes, with the second factor if the user has one.
describe("step-up", () => {
  it("lets a fresh sign-in act, asks again after the window, and a re-authentication opens it again", async () => {
    const { principal, user } = await makePrincipal(["admin"]);
    const target = await makeUser();
    later(11);
    const stale = (await resolveSession(principal.sessionId)) ?? principal;
    expect(await code(disableUser({ actor: stale, userId: target.id, context }))).toBe("step_up_required");
    expect((await db.user.findUniqueOrThrow({ where: { id: target.id } })).status).toBe("active");

    expect(await code(reauthenticate({ actor: stale, password: "not my password", context }))).toBe(
      "unauthenticated",
    );
    const { sessionId } = await reauthenticate({ actor: stale, password: user.password, context });
    // A new session id (ASVS 7.2.4): the old one stops working.
    expect(sessionId).not.toBe(principal.sessionId);
    expect(await resolveSession(principal.sessionId)).toBeNull();
    const fresh = await resolveSession(sessionId);
    expect(Math.floor((fresh?.authTime.getTime() ?? 0) / 1000)).toBe(now());
    expect(await code(disableUser({ actor: fresh ?? stale, userId: target.id, context }))).toBe("ok");
  });

  it("with a second factor, needs the code as well as the password", async () => {
    const { principal, user } = await makePrincipal();
    const { password } = user;
    const enrollment = await startTotpEnrollment({ actor: principal, name: "Phone" });
    await confirmTotpEnrollment({
      actor: principal,
      factorId: enrollment.factorId,
      code: await generate({ secret: enrollment.secret, epoch: now() }),
      context,
    });

    later(11);
    const stale = (await resolveSession(principal.sessionId)) ?? principal;
    expect(await code(regenerateRecoveryCodes({ actor: stale, context }))).toBe("step_up_required");
    const withoutCode = await reauthenticate({ actor: stale, password, context }).then(
      () => null,
      (e: AppError) => e,
    );
    expect(withoutCode?.extra.fields?.[0]?.path).toBe("code");
    later(1);
    const { sessionId } = await reauthenticate({
      actor: stale,
      password,
      code: await generate({ secret: enrollment.secret, epoch: now() }),
      context,
    });
    const fresh = (await resolveSession(sessionId)) ?? principal;
    expect(await code(regenerateRecoveryCodes({ actor: fresh, context }))).toBe("ok");
  });
});

describe("managing factors", () => {
  it("refuses to remove the last factor while a role requires MFA, and an admin can reset a user's MFA", async () => {
    const { principal } = await makePrincipal();
    const enrollment = await startTotpEnrollment({ actor: principal, name: "Phone" });
    await confirmTotpEnrollment({
      actor: principal,
      factorId: enrollment.factorId,
      code: await generate({ secret: enrollment.secret, epoch: now() }),
      context,
    });
    await db.role.create({
      data: {
        id: `rol_req${Date.now()}`,
        name: `Req ${Date.now()}`,
        requiresMfa: true,
        assignments: { create: { userId: principal.userId } },
      },
    });
    const current = (await resolveSession(principal.sessionId)) ?? principal;
    expect(await code(removeFactor({ actor: current, factorId: enrollment.factorId, context }))).toBe(
      "conflict",
    );

    const { principal: admin } = await makePrincipal(["admin"]);
    await resetUserMfa({ actor: admin, userId: principal.userId, context });
    expect(await db.totpFactor.count({ where: { userId: principal.userId } })).toBe(0);
    expect(await db.recoveryCode.count({ where: { userId: principal.userId } })).toBe(0);
    expect(await resolveSession(principal.sessionId)).toBeNull();
    expect(await db.auditEvent.count({ where: { action: "mfa.reset", targetId: principal.userId } })).toBe(1);
  });
});
