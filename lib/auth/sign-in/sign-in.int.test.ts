import { afterEach, describe, expect, it, vi } from "vitest";

import { makeUser, strongPassword, TEST_CONTEXT, uniqueEmail } from "../../../test/factories.ts";
import { hashPassword } from "../../crypto/password.ts";
import { db } from "../../db/client.ts";
import { AppError } from "../../errors/app-error.ts";
import { resolveSession } from "../sessions.ts";
import { SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_DEVICE } from "../sign-in-limits.ts";
import { completeSignIn } from "./complete-sign-in.ts";
import { BAD_CREDENTIALS, startPasswordSignIn } from "./start-password-sign-in.ts";

const context = (ip = `198.51.100.${Math.floor(Math.random() * 250)}`) => ({ ...TEST_CONTEXT, ip });
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a failure");
    },
    (error: unknown) => error as AppError,
  );

afterEach(() => {
  vi.useRealTimers();
});

describe("password sign-in", () => {
  it("creates a session only when the attempt is exchanged, and the attempt works once", async () => {
    const user = await makeUser({ roles: ["developer"] });
    const step = await startPasswordSignIn({
      email: user.email,
      password: user.password,
      context: context(),
    });
    expect(step.next).toBe("complete");
    expect(await db.session.count({ where: { userId: user.id } })).toBe(0);

    const done = await completeSignIn({ attemptToken: step.attemptToken, context: context() });
    const principal = await resolveSession(done.sessionId);
    expect(principal).toMatchObject({ userId: user.id, amr: ["pwd"] });
    expect([...(principal?.permissions ?? [])].sort()).toEqual([
      "apis.read",
      "clients.read",
      "clients.write",
      "tokens.create",
    ]);

    const again = await failure(completeSignIn({ attemptToken: step.attemptToken, context: context() }));
    expect(again.code).toBe("unauthenticated");
  });

  it("stores only a hash of the attempt secret", async () => {
    const user = await makeUser();
    const step = await startPasswordSignIn({
      email: user.email,
      password: user.password,
      context: context(),
    });
    const rows = await db.signInAttempt.findMany({ where: { userId: user.id } });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(step.attemptToken);
  });

  // Guarantee: unknown and known accounts are indistinguishable by message and status.
  it("answers a wrong password and an unknown email identically", async () => {
    const user = await makeUser();
    const wrong = await failure(
      startPasswordSignIn({ email: user.email, password: "not the password", context: context() }),
    );
    const unknown = await failure(
      startPasswordSignIn({ email: uniqueEmail(), password: "not the password", context: context() }),
    );
    for (const error of [wrong, unknown]) {
      expect(error).toBeInstanceOf(AppError);
      expect(error.code).toBe("unauthenticated");
      expect(error.message).toBe(BAD_CREDENTIALS);
    }
  });

  it("refuses disabled and invited users with the same message", async () => {
    const disabled = await makeUser({ status: "disabled" });
    const error = await failure(
      startPasswordSignIn({ email: disabled.email, password: disabled.password, context: context() }),
    );
    expect(error.message).toBe(BAD_CREDENTIALS);
    const invited = await makeUser({ status: "invited" });
    expect(
      (
        await failure(
          startPasswordSignIn({ email: invited.email, password: "anything at all", context: context() }),
        )
      ).message,
    ).toBe(BAD_CREDENTIALS);
  });

  it("audits failures without the password", async () => {
    const user = await makeUser();
    await failure(
      startPasswordSignIn({ email: user.email, password: "secret-guess-123", context: context() }),
    );
    const events = await db.auditEvent.findMany({
      where: { action: "auth.sign_in_failed", targetId: user.id },
    });
    expect(events).toHaveLength(1);
    expect(
      JSON.stringify(events[0], (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)),
    ).not.toContain("secret-guess-123");
    expect(events[0]?.details).toMatchObject({ reason: "wrong_password" });
  });

  // Guarantee: parallel guesses cannot exceed the per-account limit, and the owner gets back in after the window.
  it("holds the account limit exactly under a parallel storm, then lets the right password in after the delay", async () => {
    const user = await makeUser();
    const storm = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        failure(
          startPasswordSignIn({
            email: user.email,
            password: `wrong guess ${i}`,
            context: context(`192.0.2.${i}`),
          }),
        ),
      ),
    );
    const checked = storm.filter((e) => e.code === "unauthenticated").length;
    const throttled = storm.filter((e) => e.code === "rate_limited");
    expect(checked).toBe(SIGN_IN_PER_ACCOUNT.points);
    expect(throttled).toHaveLength(25 - SIGN_IN_PER_ACCOUNT.points);
    expect(throttled[0]?.extra.retryAfterSeconds).toBeGreaterThan(0);

    // Even the right password waits: the limit does not reveal whether a guess was right.
    const blocked = await failure(
      startPasswordSignIn({ email: user.email, password: user.password, context: context() }),
    );
    expect(blocked.code).toBe("rate_limited");

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + (SIGN_IN_PER_ACCOUNT.durationSeconds + 1) * 1000);
    const step = await startPasswordSignIn({
      email: user.email,
      password: user.password,
      context: context(),
    });
    expect(step.next).toBe("complete");
  });

  // Guarantee: a flood of wrong passwords cannot lock the owner out of a browser they have used
  // (ASVS 6.1.1): it has a budget of its own, and a device cookie for another account is no help.
  it("a browser that signed in before still gets in while the account is flooded from elsewhere", async () => {
    const user = await makeUser();
    const other = await makeUser();
    const before = await startPasswordSignIn({
      email: user.email,
      password: user.password,
      context: context(),
    });
    const otherDevice = (
      await startPasswordSignIn({ email: other.email, password: other.password, context: context() })
    ).deviceToken;
    await Promise.all(
      Array.from({ length: SIGN_IN_PER_ACCOUNT.points + 5 }, (_, i) =>
        failure(
          startPasswordSignIn({
            email: user.email,
            password: `flood ${i}`,
            context: context(`198.51.100.${i}`),
          }),
        ),
      ),
    );
    const attempt = (deviceToken?: string) =>
      startPasswordSignIn({ email: user.email, password: user.password, context: context(), deviceToken });
    expect((await failure(attempt())).code).toBe("rate_limited");
    expect((await failure(attempt(otherDevice))).code).toBe("rate_limited");
    expect((await failure(attempt(`${before.deviceToken}x`))).code).toBe("rate_limited");
    const step = await attempt(before.deviceToken);
    expect(step.next).toBe("complete");
    // The same device keeps its id, so its budget cannot be refreshed by signing in again.
    expect(step.deviceToken.split(".")[0]).toBe(before.deviceToken.split(".")[0]);

    // The device's own budget holds exactly: guesses from that browser are limited too.
    const fromDevice = await Promise.all(
      Array.from({ length: SIGN_IN_PER_DEVICE.points + 3 }, (_, i) =>
        failure(
          startPasswordSignIn({
            email: user.email,
            password: `device guess ${i}`,
            context: context(),
            deviceToken: before.deviceToken,
          }),
        ),
      ),
    );
    expect(fromDevice.filter((e) => e.code === "unauthenticated")).toHaveLength(SIGN_IN_PER_DEVICE.points);

    // A new password (a reset after a leak) voids the device cookies issued for the old one.
    const renewed = strongPassword();
    await db.passwordCredential.update({
      where: { userId: user.id },
      data: { hash: await hashPassword(renewed) },
    });
    const afterReset = await failure(
      startPasswordSignIn({
        email: user.email,
        password: renewed,
        context: context(),
        deviceToken: before.deviceToken,
      }),
    );
    expect(afterReset.code).toBe("rate_limited");
  });

  // ASVS 6.2.8: the password is verified exactly as typed: no trimming, no case folding, no truncation.
  it("checks the password exactly as typed", async () => {
    const password = `  Exact Case ${uniqueEmail()} phrase  `;
    const user = await makeUser({ password });
    for (const variant of [password.trim(), password.toLowerCase(), password.slice(0, -1)]) {
      expect(
        (await failure(startPasswordSignIn({ email: user.email, password: variant, context: context() })))
          .code,
      ).toBe("unauthenticated");
    }
    expect((await startPasswordSignIn({ email: user.email, password, context: context() })).next).toBe(
      "complete",
    );
  });

  it("throttles unknown emails the same way as known ones", async () => {
    const email = uniqueEmail();
    const results = await Promise.all(
      Array.from({ length: SIGN_IN_PER_ACCOUNT.points + 2 }, () =>
        failure(startPasswordSignIn({ email, password: "whatever it is", context: context() })),
      ),
    );
    expect(results.filter((e) => e.code === "rate_limited")).toHaveLength(2);
  });

  it("expires an unfinished attempt after five minutes", async () => {
    const user = await makeUser();
    const step = await startPasswordSignIn({
      email: user.email,
      password: user.password,
      context: context(),
    });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 6 * 60_000);
    expect(
      (await failure(completeSignIn({ attemptToken: step.attemptToken, context: context() }))).code,
    ).toBe("unauthenticated");
  });
});
