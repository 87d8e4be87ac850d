import { generate } from "otplib";
import { afterEach, describe, expect, it, vi } from "vitest";

import { POST as optionsRoute } from "../../app/api/account/passkeys/options/route.ts";
import { POST as registerRoute } from "../../app/api/account/passkeys/register/route.ts";
import { startTotpAction } from "../../app/(app)/account/security/actions.ts";
import { codeOf, makePrincipal, makeUser, signedInCookie, TEST_CONTEXT } from "../../test/factories.ts";
import { call } from "../../test/requests.ts";
import { resolveSession } from "../auth/sessions.ts";
import { completeSignIn } from "../auth/sign-in/complete-sign-in.ts";
import { startPasswordSignIn } from "../auth/sign-in/start-password-sign-in.ts";
import { db } from "../db/client.ts";
import { confirmTotpEnrollment, startTotpEnrollment } from "./enroll-totp.ts";
import { passkeyRegistrationOptions, registerPasskey } from "./webauthn-register.ts";
import { registrationResponseSchema } from "./webauthn-schemas.ts";

const context = TEST_CONTEXT;
const now = () => Math.floor(Date.now() / 1000);
afterEach(() => {
  vi.useRealTimers();
});
/** Moves the clock past the step-up window (10 minutes by default). */
const later = (minutes: number) => {
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(Date.now() + minutes * 60_000);
};

const fakeRegistration = registrationResponseSchema.parse({
  id: "AAAA",
  rawId: "AAAA",
  type: "public-key",
  clientExtensionResults: {},
  response: { clientDataJSON: "eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIn0", attestationObject: "o2NmbXRkbm9uZQ" },
});

async function stalePrincipal() {
  const made = await makePrincipal();
  const { cookie, sessionId } = await signedInCookie(made.user.id);
  later(11);
  const principal = await resolveSession(sessionId);
  if (!principal) throw new Error("the session should still be alive");
  return { ...made, principal, cookie };
}

// Guarantee (ASVS 7.5.1): adding a factor needs a recent sign-in, with the second factor when the
// user has one; a stale session cannot even start the ceremony. Forced enrollment passes naturally.
describe("adding a factor needs step-up", () => {
  it("a stale session cannot get passkey options nor register one, by the domain or the routes", async () => {
    const { principal, cookie } = await stalePrincipal();
    expect(await codeOf(passkeyRegistrationOptions(principal))).toBe("step_up_required");
    expect(await db.webAuthnChallenge.count({ where: { userId: principal.userId } })).toBe(0);

    const options = await call(optionsRoute, { method: "POST", cookie });
    expect(options.status).toBe(401);
    expect(options.body.type).toBe("urn:keyward:problem:step_up_required");

    // Even with a challenge obtained while fresh, the finish step checks again (and spends nothing).
    await db.webAuthnChallenge.create({
      data: {
        id: `wch_test${Date.now()}`,
        purpose: "registration",
        challenge: "c2VlZA",
        userId: principal.userId,
        expiresAt: new Date(Date.now() + 60_000),
      },
    });
    expect(
      await codeOf(registerPasskey({ actor: principal, name: "Key", response: fakeRegistration, context })),
    ).toBe("step_up_required");
    expect(await db.webAuthnChallenge.count({ where: { userId: principal.userId } })).toBe(1);
    const register = await call(registerRoute, { cookie, json: { name: "Key", response: fakeRegistration } });
    expect(register.status).toBe(401);
    expect(register.body.type).toBe("urn:keyward:problem:step_up_required");
    expect(await db.webAuthnCredential.count({ where: { userId: principal.userId } })).toBe(0);
  });

  it("a stale session can neither start nor confirm an authenticator app", async () => {
    const { principal, cookie } = await stalePrincipal();
    expect(await codeOf(startTotpEnrollment({ actor: principal, name: "Phone" }))).toBe("step_up_required");
    expect(await db.totpFactor.count({ where: { userId: principal.userId } })).toBe(0);
    // The form's action answers with the code the page reacts to by opening the re-auth dialog.
    const [name, value] = cookie.split("=") as [string, string];
    const form = new FormData();
    form.set("name", "Phone");
    const { state } = await startTotpAction.run(
      {
        headers: new Headers({ "user-agent": "vitest" }),
        cookies: { get: (n) => (n === name ? { value } : undefined) },
      },
      form,
    );
    expect(state).toMatchObject({ status: "error", code: "step_up_required" });
    expect(await db.totpFactor.count({ where: { userId: principal.userId } })).toBe(0);

    vi.useRealTimers();
    const fresh = await makePrincipal();
    const enrollment = await startTotpEnrollment({ actor: fresh.principal, name: "Phone" });
    const code = await generate({ secret: enrollment.secret, epoch: now() });
    later(11);
    const stale = (await resolveSession(fresh.principal.sessionId)) ?? fresh.principal;
    expect(
      await codeOf(confirmTotpEnrollment({ actor: stale, factorId: enrollment.factorId, code, context })),
    ).toBe("step_up_required");
    const factor = await db.totpFactor.findUniqueOrThrow({ where: { id: enrollment.factorId } });
    expect(factor.activatedAt).toBeNull();
  });

  it("with a factor already, a recent password alone is not enough to add another", async () => {
    const { principal } = await makePrincipal();
    const first = await startTotpEnrollment({ actor: principal, name: "Phone" });
    await confirmTotpEnrollment({
      actor: principal,
      factorId: first.factorId,
      code: await generate({ secret: first.secret, epoch: now() }),
      context,
    });
    // Another session of the same user, signed in a moment ago with the password only.
    const { sessionId } = await signedInCookie(principal.userId);
    const passwordOnly = await resolveSession(sessionId);
    if (!passwordOnly) throw new Error("no session");
    expect(passwordOnly.mfaTime).toBeNull();
    expect(await codeOf(startTotpEnrollment({ actor: passwordOnly, name: "Tablet" }))).toBe(
      "step_up_required",
    );
    expect(await codeOf(passkeyRegistrationOptions(passwordOnly))).toBe("step_up_required");
    // The session that just proved the factor is MFA-fresh and may go on.
    const proven = (await resolveSession(principal.sessionId)) ?? principal;
    expect(await codeOf(startTotpEnrollment({ actor: proven, name: "Tablet" }))).toBe("ok");
  });

  it("a user forced to enroll right after signing in can add their first factor", async () => {
    const role = await db.role.create({
      data: { id: `rol_req${Date.now()}`, name: `Req ${Date.now()}`, requiresMfa: true },
    });
    const user = await makeUser();
    await db.roleAssignment.create({ data: { userId: user.id, roleId: role.id } });
    const step = await startPasswordSignIn({ email: user.email, password: user.password, context });
    expect(step.next).toBe("complete");
    const { sessionId } = await completeSignIn({ attemptToken: step.attemptToken, context });
    const principal = await resolveSession(sessionId);
    if (!principal) throw new Error("no session");
    expect(principal.mustEnrollMfa).toBe(true);

    expect(await codeOf(passkeyRegistrationOptions(principal))).toBe("ok");
    const enrollment = await startTotpEnrollment({ actor: principal, name: "Phone" });
    const { recoveryCodes } = await confirmTotpEnrollment({
      actor: principal,
      factorId: enrollment.factorId,
      code: await generate({ secret: enrollment.secret, epoch: now() }),
      context,
    });
    expect(recoveryCodes).toHaveLength(10);
    expect((await resolveSession(sessionId))?.mustEnrollMfa).toBe(false);
  });
});
