import { describe, expect, it } from "vitest";

import { isoWeek, utcDay, utcHour } from "./periods.ts";

describe("job periods", () => {
  it("names ISO weeks the way ISO 8601 does, Monday 00:00 UTC starting a week", () => {
    expect(isoWeek(new Date("2026-12-07T00:00:00Z"))).toBe("2026-W50"); // a Monday
    expect(isoWeek(new Date("2026-12-06T23:59:59Z"))).toBe("2026-W49"); // the Sunday before
    expect(isoWeek(new Date("2025-12-29T00:00:00Z"))).toBe("2026-W01"); // Monday, in 2026's week 1
    expect(isoWeek(new Date("2027-01-01T12:00:00Z"))).toBe("2026-W53"); // a Friday, 2026 has 53
    expect(isoWeek(new Date("2021-01-03T12:00:00Z"))).toBe("2020-W53");
    expect(isoWeek(new Date("2024-12-30T00:00:00Z"))).toBe("2025-W01");
  });

  it("names UTC days and hours", () => {
    expect(utcDay(new Date("2026-12-07T23:30:00Z"))).toBe("2026-12-07");
    expect(utcHour(new Date("2026-12-07T14:59:59Z"))).toBe("2026-12-07T14");
  });
});
