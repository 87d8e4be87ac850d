import { describe, expect, it } from "vitest";

import { builtInPermissionId } from "@/lib/apis/built-in-api";
import { db } from "@/lib/db/client";
import { dailySeries } from "@/lib/overview/daily-metrics";
import { developerWith, mintTestToken } from "@/test/credentials";
import { makeUser } from "@/test/factories";
import { countSignIns, giveTotp, givePasskey } from "@/test/job-factories";

import { runDailyRollup } from "./daily-rollup.ts";

const at = (iso: string) => new Date(iso);

describe("the daily rollup", () => {
  it("writes each day's sign-ins, failures and MFA adoption with known answers, once, and prunes old counters", async () => {
    // 7 active users: 3 with a second factor (TOTP, a passkey, both); one whose TOTP was never
    // confirmed does not count; a disabled user with a factor is not active.
    const { principal } = await developerWith(["users.read"]);
    const totp = await makeUser();
    const passkey = await makeUser();
    const both = await makeUser();
    const unconfirmed = await makeUser();
    await makeUser();
    await makeUser();
    const disabled = await makeUser({ status: "disabled" });
    await giveTotp(totp.id);
    await givePasskey(passkey.id);
    await giveTotp(both.id);
    await givePasskey(both.id);
    await giveTotp(unconfirmed.id, { activated: false });
    await giveTotp(disabled.id);
    await makeUser({ status: "invited" });

    const now = at("2026-12-07T10:00:00Z");
    // Yesterday: 12 sign-ins, 6 failures of the three kinds; per-source rows repeat the total and must not add to it.
    await countSignIns(at("2026-12-06T09:10:00Z"), "sign_in", 5);
    await countSignIns(at("2026-12-06T23:59:00Z"), "sign_in", 7);
    await countSignIns(at("2026-12-06T03:00:00Z"), "password_failed", 3);
    await countSignIns(at("2026-12-06T03:00:00Z"), "password_failed", 3, "source", "198.51.100.9");
    await countSignIns(at("2026-12-06T04:00:00Z"), "second_factor_failed", 2);
    await countSignIns(at("2026-12-06T05:00:00Z"), "lockout", 1);
    // Today so far, and ten days ago (no instance ran then: the daily run fills it in).
    await countSignIns(at("2026-12-07T08:00:00Z"), "sign_in", 4);
    await countSignIns(at("2026-11-27T12:00:00Z"), "sign_in", 9);
    // Past keeping: counters older than 31 days, per-permission use older than 400.
    await countSignIns(at("2026-11-05T12:00:00Z"), "sign_in", 50);
    await countSignIns(at("2026-11-06T00:00:00Z"), "sign_in", 2);
    const token = await mintTestToken(principal, ["users.read"]);
    const permissionId = builtInPermissionId("users.read");
    await db.apiTokenPermissionUse.createMany({
      data: [
        { tokenId: token.id, permissionId, day: at("2025-11-01T00:00:00Z"), count: 1 },
        { tokenId: token.id, permissionId, day: at("2025-11-03T00:00:00Z"), count: 1 },
      ],
    });

    expect(await runDailyRollup(now)).toEqual({ refreshed: true, finalized: "2026-12-06" });
    // Again the same day: today refreshed, yesterday not finalized twice.
    expect(await runDailyRollup(now)).toEqual({ refreshed: true, finalized: null });

    expect(await dailySeries(3, now)).toEqual([
      { day: "2026-12-05", signIns: 0, failures: 0, mfaUsers: 0, activeUsers: 0 },
      { day: "2026-12-06", signIns: 12, failures: 6, mfaUsers: 3, activeUsers: 7 },
      { day: "2026-12-07", signIns: 4, failures: 0, mfaUsers: 3, activeUsers: 7 },
    ]);
    const series = await dailySeries(30, now);
    expect(series).toHaveLength(30);
    expect(series.find((point) => point.day === "2026-11-27")?.signIns).toBe(9);

    const kept = await db.signInCount.findMany({ where: { hour: { lt: at("2026-11-07T00:00:00Z") } } });
    expect(kept.map((row) => row.hour.toISOString())).toEqual(["2026-11-06T00:00:00.000Z"]);
    const uses = await db.apiTokenPermissionUse.findMany({ where: { tokenId: token.id } });
    expect(uses.map((row) => row.day.toISOString().slice(0, 10))).toEqual(["2025-11-03"]);
    expect(
      await db.jobRun.findUnique({ where: { job_period: { job: "rollup", period: "2026-12-06" } } }),
    ).toMatchObject({
      finishedAt: expect.any(Date) as Date,
      summary: expect.stringContaining("pruned 1 sign-in") as string,
    });

    // Next day: a fourth user enrolls. Yesterday keeps the last value seen during it; today has the new one.
    await giveTotp((await makeUser()).id);
    const later = at("2026-12-08T00:05:00Z");
    const [first, second] = await Promise.all([runDailyRollup(later), runDailyRollup(later)]);
    expect([first.finalized, second.finalized].filter(Boolean)).toEqual(["2026-12-07"]);
    // Two days on with no run at all: the MFA figures carry forward, the counts are zero.
    expect((await dailySeries(4, at("2026-12-10T12:00:00Z"))).slice(0)).toEqual([
      { day: "2026-12-07", signIns: 4, failures: 0, mfaUsers: 3, activeUsers: 7 },
      { day: "2026-12-08", signIns: 0, failures: 0, mfaUsers: 4, activeUsers: 8 },
      { day: "2026-12-09", signIns: 0, failures: 0, mfaUsers: 4, activeUsers: 8 },
      { day: "2026-12-10", signIns: 0, failures: 0, mfaUsers: 4, activeUsers: 8 },
    ]);
  });

  it("refuses a series of no days or of more than it keeps", async () => {
    await expect(dailySeries(0)).rejects.toThrow();
    await expect(dailySeries(401)).rejects.toThrow();
  });
});
