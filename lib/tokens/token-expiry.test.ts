import { describe, expect, it } from "vitest";

import { AppError } from "../errors/app-error.ts";
import { tokenExpiry } from "./token-expiry.ts";

const now = new Date("2026-11-29T12:00:00Z");
const settings = { tokenMaxLifetimeDays: 90, tokenAllowNoExpiry: false };

function fieldOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error.extra.fields?.[0]?.path;
    throw error;
  }
  return undefined;
}

describe("token expiry", () => {
  it("counts days from now", () => {
    expect(tokenExpiry({ expiration: "30" }, settings, now)).toEqual(new Date("2026-12-29T12:00:00Z"));
  });

  it("ends a chosen date at the end of that day (UTC)", () => {
    expect(tokenExpiry({ expiration: "custom", expiresOn: "2026-12-01" }, settings, now)).toEqual(
      new Date("2026-12-01T23:59:59.999Z"),
    );
  });

  it("refuses more than the cap, past dates and never unless allowed", () => {
    expect(
      fieldOf(() => tokenExpiry({ expiration: "90" }, { ...settings, tokenMaxLifetimeDays: 60 }, now)),
    ).toBe("expiration");
    expect(fieldOf(() => tokenExpiry({ expiration: "custom", expiresOn: "2027-06-01" }, settings, now))).toBe(
      "expiresOn",
    );
    expect(fieldOf(() => tokenExpiry({ expiration: "custom", expiresOn: "2026-11-28" }, settings, now))).toBe(
      "expiresOn",
    );
    expect(
      fieldOf(() => tokenExpiry({ expiration: "custom", expiresOn: "2026-02-31x" }, settings, now)),
    ).toBe("expiresOn");
    expect(fieldOf(() => tokenExpiry({ expiration: "never" }, settings, now))).toBe("expiration");
    expect(tokenExpiry({ expiration: "never" }, { ...settings, tokenAllowNoExpiry: true }, now)).toBeNull();
  });
});
