import { generate } from "otplib";
import { afterEach, describe, expect, it, vi } from "vitest";

import { makePrincipal, makeRole, makeUser, TEST_CONTEXT } from "../../test/factories.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { resolveSession } from "../auth/sessions.ts";
import { completeSignIn } from "../auth/sign-in/complete-sign-in.ts";
import { startPasswordSignIn } from "../auth/sign-in/start-password-sign-in.ts";
import { MAX_WRONG_CODES, verifySecondFactor } from "../auth/sign-in/verify-second-factor.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { confirmTotpEnrollment, startTotpEnrollment } from "./enroll-totp.ts";

const context = TEST_CONTEXT;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as AppError,
  );
const codeAt = (secret: string, offsetSeconds = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });
const later = (seconds: number) => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + seconds * 1000);
};
afterEach(() => {
  vi.useRealTimers();
});

async function enrolled(principal: UserPrincipal) {
  const enrollment = await startTotpEnrollment({ actor: principal, name: "Phone" });
  const { recoveryCodes } = await confirmTotpEnrollment({
    actor: principal,
    factorId: enrollment.factorId,
    code: await codeAt(enrollment.secret),
    context,
  });
  return { ...enrollment, recoveryCodes: recoveryCodes ?? [] };
}

async function passwordStep(user: { email: string; password: string }) {
  return startPasswordSignIn({ email: user.email, password: user.password, context });
}

// Guarantee: TOTP per RFC 6238: secret encrypted at rest, active only after a right code, each code accepted once.
describe("authenticator apps (TOTP)", () => {
  it("activates only after a right code, keeps the secret encrypted, and gives ten recovery codes once", async () => {
    const { principal } = await makePrincipal();
    const enrollment = await startTotpEnrollment({ actor: principal, name: "Phone" });
    expect(enrollment.uri).toMatch(/^otpauth:\/\/totp\/Keyward:.*secret=/);
    expect(enrollment.qrSvg).toMatch(/^<svg/);
    const row = await db.totpFactor.findUniqueOrThrow({ where: { id: enrollment.factorId } });
    expect(row.secretEnc).not.toContain(enrollment.secret);
    expect(row.activatedAt).toBeNull();

    const wrong = await failure(
      confirmTotpEnrollment({ actor: principal, factorId: enrollment.factorId, code: "000000", context }),
    );
    expect(wrong?.code).toBe("invalid");
    const { recoveryCodes } = await confirmTotpEnrollment({
      actor: principal,
      factorId: enrollment.factorId,
      code: await codeAt(enrollment.secret),
      context,
    });
    expect(recoveryCodes).toHaveLength(10);
    // 24 Crockford base32 characters: 120 bits each (ASVS 6.5.2 allows a plain hash from 112).
    for (const code of recoveryCodes ?? [])
      expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){5}[0-9A-HJKMNP-TV-Z]{4}$/);
    const stored = await db.recoveryCode.findMany({ where: { userId: principal.userId } });
    expect(stored.map((r) => r.codeHash)).not.toContain(recoveryCodes?.[0]);
    expect(
      (await db.totpFactor.findUniqueOrThrow({ where: { id: enrollment.factorId } })).activatedAt,
    ).not.toBeNull();
  });

  it("asks for the second factor after the password, and no session exists before it", async () => {
    const { principal, user } = await makePrincipal();
    const { secret } = await enrolled(principal);
    const step = await passwordStep(user);
    expect(step).toMatchObject({ next: "mfa", factors: ["totp", "recovery"] });
    expect((await failure(completeSignIn({ attemptToken: step.attemptToken, context })))?.message).toBe(
      "Finish every sign-in step first.",
    );

    const fresh = await passwordStep(user);
    later(30);
    await verifySecondFactor({
      attemptToken: fresh.attemptToken,
      method: "totp",
      code: await codeAt(secret),
      context,
    });
    const session = await completeSignIn({ attemptToken: fresh.attemptToken, context });
    expect((await resolveSession(session.sessionId))?.amr).toEqual(["pwd", "otp", "mfa"]);
  });

  it("refuses a replayed code and a code two steps old, and accepts one step of skew", async () => {
    const { principal, user } = await makePrincipal();
    const { secret } = await enrolled(principal);
    later(30);
    const code = await codeAt(secret);
    const first = await passwordStep(user);
    await verifySecondFactor({ attemptToken: first.attemptToken, method: "totp", code, context });

    const second = await passwordStep(user);
    expect(
      (
        await failure(
          verifySecondFactor({ attemptToken: second.attemptToken, method: "totp", code, context }),
        )
      )?.code,
    ).toBe("unauthenticated");
    later(30);
    expect(
      (
        await failure(
          verifySecondFactor({
            attemptToken: second.attemptToken,
            method: "totp",
            code: await codeAt(secret, -60),
            context,
          }),
        )
      )?.code,
    ).toBe("unauthenticated");
    await verifySecondFactor({
      attemptToken: second.attemptToken,
      method: "totp",
      code: await codeAt(secret, 30),
      context,
    });
  });

  it("accepts each recovery code once", async () => {
    const { principal, user } = await makePrincipal();
    const { recoveryCodes } = await enrolled(principal);
    const code = recoveryCodes[0]?.toLowerCase() ?? "";
    const first = await passwordStep(user);
    await verifySecondFactor({ attemptToken: first.attemptToken, method: "recovery", code, context });
    const second = await passwordStep(user);
    expect(
      (
        await failure(
          verifySecondFactor({ attemptToken: second.attemptToken, method: "recovery", code, context }),
        )
      )?.code,
    ).toBe("unauthenticated");
    expect(await db.recoveryCode.count({ where: { userId: principal.userId, usedAt: null } })).toBe(9);
  });

  // Guarantee: parallel guesses cannot exceed five wrong codes per sign-in attempt (cf. GHSA-7h8m-vrxx-vr4m).
  it("voids the attempt after five wrong codes, even when they arrive in parallel", async () => {
    const { principal, user } = await makePrincipal();
    const { secret } = await enrolled(principal);
    const step = await passwordStep(user);
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        failure(
          verifySecondFactor({
            attemptToken: step.attemptToken,
            method: "totp",
            code: String(100000 + i),
            context,
          }),
        ),
      ),
    );
    const checked = results.filter((e) => e?.message.startsWith("That code is not right"));
    expect(checked).toHaveLength(MAX_WRONG_CODES);
    expect(
      results.filter(
        (e) =>
          e?.message.startsWith("Too many wrong codes") || e?.message.startsWith("Your sign-in has expired"),
      ),
    ).toHaveLength(12 - MAX_WRONG_CODES);
    later(30);
    expect(
      (
        await failure(
          verifySecondFactor({
            attemptToken: step.attemptToken,
            method: "totp",
            code: await codeAt(secret),
            context,
          }),
        )
      )?.code,
    ).toBe("unauthenticated");
  });
});

// Guarantee: a role that requires MFA cannot be used before a factor is enrolled, on any path.
describe("required MFA", () => {
  it("restricts a user whose role requires MFA until they enroll", async () => {
    const role = await makeRole(["audit.read"]);
    await db.role.update({ where: { id: role.id }, data: { requiresMfa: true } });
    const { principal } = await makePrincipal([], [role.id]);
    expect(principal.mustEnrollMfa).toBe(true);
    await enrolled(principal);
    expect((await resolveSession(principal.sessionId))?.mustEnrollMfa).toBe(false);
  });

  it("does not restrict users without such a role", async () => {
    const user = await makeUser();
    expect((await makePrincipal()).principal.mustEnrollMfa).toBe(false);
    expect(user.id).toBeTruthy();
  });
});
