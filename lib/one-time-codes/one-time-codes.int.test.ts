import { afterEach, describe, expect, it, vi } from "vitest";

import { makeUser } from "../../test/factories.ts";
import { db } from "../db/client.ts";
import { consumeCode, issueCode } from "./one-time-codes.ts";

afterEach(() => {
  vi.useRealTimers();
});

// Guarantee: one-time codes are stored hashed, expire, work once, and a new one replaces the old.
describe("one-time codes", () => {
  it("stores only a hash and works exactly once, even when used concurrently", async () => {
    const user = await makeUser({ status: "invited" });
    const issued = await db.$transaction((tx) =>
      issueCode(tx, { purpose: "invitation", userId: user.id, ttlSeconds: 3600, format: "link" }),
    );
    expect(issued.code.length).toBeGreaterThanOrEqual(43);
    const row = await db.oneTimeCode.findUniqueOrThrow({ where: { id: issued.id } });
    expect(JSON.stringify(row)).not.toContain(issued.code);

    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        db.$transaction((tx) =>
          consumeCode(tx, { purpose: "invitation", code: issued.code, format: "link" }),
        ),
      ),
    );
    expect(results.filter((r) => r.ok)).toEqual([{ ok: true, id: issued.id, userId: user.id, sentTo: null }]);
    expect(results.filter((r) => !r.ok)).toHaveLength(4);
  });

  it("refuses an expired code, an unknown one, and one of another purpose", async () => {
    const issued = await db.$transaction((tx) =>
      issueCode(tx, { purpose: "password_reset", ttlSeconds: 60, format: "link" }),
    );
    const use = (purpose: "password_reset" | "invitation", code = issued.code) =>
      db.$transaction((tx) => consumeCode(tx, { purpose, code, format: "link" }));
    expect(await use("invitation")).toEqual({ ok: false, reason: "unknown" });
    expect(await use("password_reset", "not-a-code")).toEqual({ ok: false, reason: "unknown" });
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + 61_000);
    expect(await use("password_reset")).toEqual({ ok: false, reason: "expired" });
  });

  it("revokes the earlier code when a new one is issued for the same purpose and user", async () => {
    const user = await makeUser({ status: "invited" });
    const issue = () =>
      db.$transaction((tx) =>
        issueCode(tx, { purpose: "invitation", userId: user.id, ttlSeconds: 3600, format: "typed" }),
      );
    const first = await issue();
    const second = await issue();
    expect(first.code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const use = (code: string) =>
      db.$transaction((tx) => consumeCode(tx, { purpose: "invitation", code, format: "typed" }));
    expect(await use(first.code)).toEqual({ ok: false, reason: "used" });
    expect((await use(second.code.toLowerCase())).ok).toBe(true);
  });
});
