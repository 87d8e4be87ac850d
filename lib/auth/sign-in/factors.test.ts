import { describe, expect, it } from "vitest";

import { acrFor } from "../../oidc/acr.ts";
import { amrFor, missingSteps, webauthnProof } from "./factors.ts";

describe("what a sign-in's steps prove", () => {
  it("names a WebAuthn key by whether it can leave its authenticator", () => {
    expect(webauthnProof(false, true)).toBe("hwk");
    expect(webauthnProof(false, false)).toBe("swk");
    expect(webauthnProof(true, true)).toBe("passkey");
    expect(webauthnProof(true, false)).toBe("synced_passkey");
  });

  it.each([
    [["pwd"], ["pwd"], "urn:keyward:acr:pwd"],
    [["pwd", "otp"], ["pwd", "otp", "mfa"], "urn:keyward:acr:pwd-mfa"],
    [["pwd", "hwk"], ["pwd", "hwk", "mfa"], "phrh"],
    [["pwd", "swk"], ["pwd", "swk", "mfa"], "phr"],
    [["passkey"], ["hwk", "user", "mfa"], "phrh"],
    [["synced_passkey"], ["swk", "user", "mfa"], "phr"],
  ])("%j gives amr %j and acr %s", (passed, amr, acr) => {
    expect(amrFor(passed)).toEqual(amr);
    expect(acrFor(amrFor(passed))).toBe(acr);
  });

  it("counts either kind of passkey as both steps, and either kind of key as a second one", () => {
    expect(missingSteps(["synced_passkey"], true)).toEqual([]);
    expect(missingSteps(["passkey"], true)).toEqual([]);
    expect(missingSteps(["pwd", "swk"], true)).toEqual([]);
    expect(missingSteps(["pwd"], true)).toEqual(["second"]);
    expect(missingSteps(["swk"], true)).toEqual(["first"]);
  });
});
