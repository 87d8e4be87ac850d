import { generate } from "otplib";
import { beforeEach, describe, expect, it } from "vitest";

import { makePrincipal, makeUser, TEST_CONTEXT, uniqueEmail } from "../../test/factories.ts";
import { reauthenticate } from "../auth/reauthenticate.ts";
import { completeSignIn } from "../auth/sign-in/complete-sign-in.ts";
import { startPasswordSignIn } from "../auth/sign-in/start-password-sign-in.ts";
import { verifySecondFactor } from "../auth/sign-in/verify-second-factor.ts";
import {
  countLockout,
  countSignIn,
  MAX_VALUES_PER_HOUR,
  OTHER,
  resetSignInCountsForTests,
  type SignInKind,
} from "../auth/sign-in-counts.ts";
import { SIGN_IN_PER_ACCOUNT } from "../auth/sign-in-limits.ts";
import { flushLastUsed } from "../credentials/last-used.ts";
import { db } from "../db/client.ts";
import { confirmTotpEnrollment, startTotpEnrollment } from "../mfa/enroll-totp.ts";
import { failuresSince, pruneSignInCounts, signInCountsByDay, signInHealth } from "./sign-in-health.ts";

// Guarantee: sign-in health counts every sign-in outcome (not the audit log's throttled sample),
// by hour, source and targeted account, with bounded memory, and reads known answers back.

const HOUR = 3_600_000;
const hourOf = (date: Date) => new Date(Math.floor(date.getTime() / HOUR) * HOUR);
const fail = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a refusal");
    },
    (error: unknown) => error,
  );

/** Rows as the flush would have written them in an earlier hour. */
async function pastRows(
  hour: Date,
  kind: SignInKind,
  count: number,
  where: { source?: string; account?: string } = {},
) {
  await db.signInCount.createMany({
    data: [
      { hour, kind, dimension: "total", value: "", count },
      ...(where.source ? [{ hour, kind, dimension: "source", value: where.source, count }] : []),
      ...(where.account ? [{ hour, kind, dimension: "account", value: where.account, count }] : []),
    ],
  });
}

beforeEach(async () => {
  // Each test reads the whole table: it starts from none of the others' counts.
  await flushLastUsed();
  resetSignInCountsForTests();
  await db.signInCount.deleteMany({});
});

describe("sign-in health", () => {
  it("answers the last 24 hours, 30 days and the top sources and accounts with known numbers", async () => {
    const now = new Date();
    const hour = hourOf(now);
    const ago = (hours: number) => new Date(hour.getTime() - hours * HOUR);
    for (let i = 0; i < 3; i++) countSignIn("sign_in", { ip: "192.0.2.1" });
    for (let i = 0; i < 4; i++)
      countSignIn("password_failed", { ip: "192.0.2.9", account: "Victim@Example.test" });
    for (let i = 0; i < 2; i++)
      countSignIn("second_factor_failed", { ip: "192.0.2.8", account: "victim@example.test" });
    // One lock window, however often the locked key is tried.
    for (let i = 0; i < 3; i++)
      countLockout("test:victim", 900, { ip: "192.0.2.9", account: "victim@example.test" });
    await flushLastUsed();

    await pastRows(ago(23), "password_failed", 5, { source: "198.51.100.1", account: "other@example.test" });
    await pastRows(ago(24), "password_failed", 7, { source: "198.51.100.1" });
    await pastRows(ago(719), "sign_in", 2, { source: "192.0.2.1" });
    // Outside every window.
    await pastRows(ago(720), "password_failed", 100, {
      source: "203.0.113.200",
      account: "old@example.test",
    });

    expect(await signInHealth(now)).toEqual({
      last24h: { signIns: 3, failed: 9, lockouts: 1, secondFactorFailed: 2 },
      last30d: { signIns: 5, failed: 16, lockouts: 1, secondFactorFailed: 2 },
      topSources: [
        { value: "198.51.100.1", count: 12 },
        { value: "192.0.2.9", count: 5 },
        { value: "192.0.2.8", count: 2 },
      ],
      topAccounts: [
        { value: "victim@example.test", count: 7 },
        { value: "other@example.test", count: 5 },
      ],
    });
    expect(await failuresSince(now)).toBe(7);
    expect(await failuresSince(ago(23))).toBe(12);
    expect(await failuresSince(new Date(now.getTime() + 2 * HOUR))).toBe(0);
  });

  it("counts real sign-ins: a success, wrong passwords, a lockout once, a wrong code, a failed step-up", async () => {
    const ip = "198.51.100.77";
    const context = { ...TEST_CONTEXT, ip };
    const user = await makeUser();
    const step = await startPasswordSignIn({ email: user.email, password: user.password, context });
    await completeSignIn({ attemptToken: step.attemptToken, context });

    for (let i = 0; i < SIGN_IN_PER_ACCOUNT.points; i++)
      await fail(startPasswordSignIn({ email: user.email, password: "not the password", context }));
    // Refused by the account limit: one lockout, not one per refused attempt.
    for (let i = 0; i < 3; i++)
      await fail(startPasswordSignIn({ email: user.email, password: user.password, context }));
    const nobody = uniqueEmail("nobody");
    await fail(startPasswordSignIn({ email: nobody, password: "a guess", context }));

    const mfa = await makePrincipal();
    const enrollment = await startTotpEnrollment({ actor: mfa.principal, name: "Phone" });
    const code = await generate({ secret: enrollment.secret, epoch: Math.floor(Date.now() / 1000) });
    await confirmTotpEnrollment({ actor: mfa.principal, factorId: enrollment.factorId, code, context });
    const second = await startPasswordSignIn({ email: mfa.user.email, password: mfa.user.password, context });
    expect(second.next).toBe("mfa");
    const wrong = String((Number(code) + 500_000) % 1_000_000).padStart(6, "0");
    await fail(
      verifySecondFactor({ attemptToken: second.attemptToken, method: "totp", code: wrong, context }),
    );
    await fail(reauthenticate({ actor: mfa.principal, password: "not my password", context }));
    await flushLastUsed();

    const health = await signInHealth();
    expect(health.last24h).toEqual({
      signIns: 1,
      failed: SIGN_IN_PER_ACCOUNT.points + 2,
      lockouts: 1,
      secondFactorFailed: 1,
    });
    expect(health.topSources).toEqual([{ value: ip, count: SIGN_IN_PER_ACCOUNT.points + 4 }]);
    expect(health.topAccounts).toEqual([
      { value: user.email, count: SIGN_IN_PER_ACCOUNT.points + 1 },
      ...[
        { value: mfa.user.email, count: 2 },
        { value: nobody, count: 1 },
      ].sort((a, b) => b.count - a.count || a.value.localeCompare(b.value)),
    ]);
  });

  it("keeps at most the cap of distinct sources and accounts apart per hour, folding the rest", async () => {
    const extra = 5;
    const ip = (i: number) => `10.0.${Math.floor(i / 256)}.${i % 256}`;
    for (let i = 0; i < MAX_VALUES_PER_HOUR + extra; i++)
      countSignIn("password_failed", { ip: ip(i), account: `spray${i}@x.test` });
    await flushLastUsed();
    const rows = (dimension: string) => db.signInCount.findMany({ where: { dimension } });
    for (const dimension of ["source", "account"]) {
      const found = await rows(dimension);
      expect(found).toHaveLength(MAX_VALUES_PER_HOUR + 1);
      expect(found.find((row) => row.value === OTHER)?.count).toBe(extra);
      expect(found.reduce((sum, row) => sum + row.count, 0)).toBe(MAX_VALUES_PER_HOUR + extra);
    }
    expect((await signInHealth()).last24h.failed).toBe(MAX_VALUES_PER_HOUR + extra);
    // Later batches of the same hour: an address kept apart stays apart, a new one is folded, so
    // a spray cannot add rows flush after flush.
    countSignIn("password_failed", { ip: ip(0) });
    countSignIn("password_failed", { ip: "192.0.2.200" });
    await flushLastUsed();
    expect(await db.signInCount.count({ where: { dimension: "source" } })).toBe(MAX_VALUES_PER_HOUR + 1);
    expect(
      (await db.signInCount.findMany({ where: { dimension: "source", value: { in: [ip(0), OTHER] } } }))
        .map((row) => [row.value, row.count])
        .sort(),
    ).toEqual([
      [OTHER, extra + 1],
      [ip(0), 2],
    ]);
  });

  it("gives sign-ins and failures per UTC day, zeros included, and prunes old hours", async () => {
    const at = (iso: string) => new Date(iso);
    await pastRows(at("2026-01-01T00:00:00Z"), "sign_in", 3, { source: "192.0.2.1" });
    await pastRows(at("2026-01-01T10:00:00Z"), "password_failed", 2, {
      source: "192.0.2.2",
      account: "a@x.test",
    });
    await pastRows(at("2026-01-01T23:00:00Z"), "lockout", 1);
    await pastRows(at("2026-01-03T23:00:00Z"), "second_factor_failed", 4);
    await pastRows(at("2026-01-04T00:00:00Z"), "sign_in", 9);

    expect(await signInCountsByDay(at("2026-01-01T00:00:00Z"), at("2026-01-04T00:00:00Z"))).toEqual([
      { day: "2026-01-01", signIns: 3, failures: 3 },
      { day: "2026-01-02", signIns: 0, failures: 0 },
      { day: "2026-01-03", signIns: 0, failures: 4 },
    ]);
    expect(await pruneSignInCounts(at("2026-01-02T00:00:00Z"))).toBe(6);
    expect(await signInCountsByDay(at("2026-01-01T00:00:00Z"), at("2026-01-02T00:00:00Z"))).toEqual([
      { day: "2026-01-01", signIns: 0, failures: 0 },
    ]);
    expect(await db.signInCount.count()).toBe(2);
  });
});
