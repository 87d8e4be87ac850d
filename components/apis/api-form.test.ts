import { describe, expect, it } from "vitest";

import { lifetimeOptions } from "./api-form";

// Guarantee: the lifetime picker never offers more than the settings' cap, always offers the
// 15-minute default (or the cap, if lower), and keeps an API's current lifetime selectable.
describe("lifetimeOptions", () => {
  it("offers whole minutes up to the cap, in seconds, with 15 minutes among them", () => {
    const options = lifetimeOptions(60);
    expect(options.map(([seconds]) => seconds)).toEqual([60, 300, 600, 900, 1800, 3600]);
    expect(options.find(([seconds]) => seconds === 900)?.[1]).toBe("15 minutes");
    expect(options.at(-1)?.[1]).toBe("1 hour");
  });

  it("never offers more than a low cap, which is then the default's stand-in", () => {
    const options = lifetimeOptions(7);
    expect(Math.max(...options.map(([seconds]) => seconds))).toBe(420);
    expect(options.map(([, label]) => label)).toContain("7 minutes");
  });

  it("keeps the API's current lifetime, even one the list would not offer", () => {
    const options = lifetimeOptions(60, 90);
    expect(options).toContainEqual([90, "90 seconds (current)"]);
    expect(options.map(([seconds]) => seconds)).toEqual(
      [...options.map(([seconds]) => seconds)].sort((a, b) => a - b),
    );
  });
});
