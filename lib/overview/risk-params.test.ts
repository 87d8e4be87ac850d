import { describe, expect, it } from "vitest";

import { startOfUtcDay } from "../jobs/periods.ts";
import { credentialUseWindow, windowOf } from "./risk-params.ts";

const DAY_MS = 86_400_000;

describe("the idle window", () => {
  const now = new Date("2030-03-01T12:00:00Z");
  const settings = (since: string | null) => ({
    idleCredentialDays: 30,
    secretRotationDays: 90,
    dormantAccountDays: 90,
    mfaRequiredForAll: false,
    permissionUseSince: since,
  });
  const old = new Date(now.getTime() - 40 * DAY_MS);
  const young = new Date(now.getTime() - 29 * DAY_MS);

  it("is whole only once the credential and the counting are older than the idle period", () => {
    expect(credentialUseWindow(old, windowOf(settings(old.toISOString()), now))).toEqual({
      since: new Date(now.getTime() - 30 * DAY_MS),
      whole: true,
      idleDays: 30,
    });
    expect(credentialUseWindow(young, windowOf(settings(old.toISOString()), now))).toMatchObject({
      since: young,
      whole: false,
    });
    expect(credentialUseWindow(old, windowOf(settings(young.toISOString()), now))).toMatchObject({
      since: young,
      whole: false,
    });
  });

  it("judges nothing when counting never began or its stamp does not parse", () => {
    for (const since of [null, "not a date"]) {
      const window = windowOf(settings(since), now);
      expect(window.countingSince).toEqual(now);
      expect(credentialUseWindow(old, window).whole).toBe(false);
    }
  });

  it("counts by UTC day", () => {
    expect(startOfUtcDay(new Date("2030-03-01T23:59:59.999Z")).toISOString()).toBe(
      "2030-03-01T00:00:00.000Z",
    );
  });
});
