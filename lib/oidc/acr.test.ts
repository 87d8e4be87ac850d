import { describe, expect, it } from "vitest";

import { ACR, acrFor, satisfiesAcr } from "./acr.ts";

describe("acr from a sign-in's methods", () => {
  it.each([
    [["pwd"], ACR.password],
    [["pwd", "otp", "mfa"], ACR.passwordAndCode],
    [["pwd", "hwk", "mfa"], ACR.phishingResistantHardware],
    [["hwk", "user", "mfa"], ACR.phishingResistantHardware],
    [["pwd", "swk", "mfa"], ACR.phishingResistant],
    [["swk", "user", "mfa"], ACR.phishingResistant],
  ])("%j is %s", (amr, acr) => {
    expect(acrFor(amr)).toBe(acr);
  });

  it("satisfies acr_values when at least as strong as one value asked for", () => {
    expect(satisfiesAcr(ACR.password, undefined)).toBe(true);
    expect(satisfiesAcr(ACR.password, "phr")).toBe(false);
    expect(satisfiesAcr(ACR.passwordAndCode, "phr urn:keyward:acr:pwd-mfa")).toBe(true);
    expect(satisfiesAcr(ACR.phishingResistant, "urn:keyward:acr:pwd-mfa")).toBe(true);
    // A synced passkey is phishing-resistant, not hardware-bound; a device-bound one is both.
    expect(satisfiesAcr(ACR.phishingResistant, "phrh")).toBe(false);
    expect(satisfiesAcr(ACR.phishingResistantHardware, "phr")).toBe(true);
    expect(satisfiesAcr(undefined, "urn:keyward:acr:pwd")).toBe(false);
    // Only values Keyward does not know: nothing to satisfy.
    expect(satisfiesAcr(ACR.password, "urn:example:gold")).toBe(true);
    expect(satisfiesAcr(ACR.password, "urn:example:gold phr")).toBe(false);
  });
});
