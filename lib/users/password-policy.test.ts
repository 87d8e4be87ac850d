import { describe, expect, it } from "vitest";

import { AppError } from "../errors/app-error.ts";
import { assertAcceptablePassword, contextWords } from "./password-policy.ts";
import { emailSchema, newPasswordSchema } from "./schemas.ts";

// Guarantee: NIST SP 800-63B rules: 12 to 128 characters, no composition rules, leaked passwords refused.
describe("password rules", () => {
  it("accepts 12 to 128 characters of anything, counting characters, not bytes", () => {
    expect(newPasswordSchema.safeParse("a".repeat(11)).success).toBe(false);
    expect(newPasswordSchema.safeParse("abcdefghijkl").success).toBe(true);
    expect(newPasswordSchema.safeParse("ü".repeat(128)).success).toBe(true);
    expect(newPasswordSchema.safeParse("a".repeat(129)).success).toBe(false);
    expect(newPasswordSchema.safeParse("🔑".repeat(12)).success).toBe(true);
  });

  it("refuses passwords from the bundled list of leaked passwords, in any case", () => {
    for (const leaked of ["1qaz2wsx3edc", "qwerty123456", "QWERTY123456"]) {
      expect(() => assertAcceptablePassword(leaked)).toThrow(AppError);
    }
  });

  it("accepts an uncommon passphrase", () => {
    expect(() => assertAcceptablePassword("violet tractor sings at dawn")).not.toThrow();
  });

  it("does not hold a short email name against ordinary words", () => {
    expect(() =>
      assertAcceptablePassword("violet tractor almanac", { email: "al@example.com" }),
    ).not.toThrow();
  });

  it("refuses a password containing the account's email name", () => {
    expect(() =>
      assertAcceptablePassword("grace.hopper-2024!", { email: "grace.hopper@example.com" }),
    ).toThrow(/email/);
  });
});

describe("email input", () => {
  it("normalises case and whitespace, and rejects what is not an address", () => {
    expect(emailSchema.parse("  Ada@Example.COM ")).toBe("ada@example.com");
    expect(emailSchema.safeParse("not an email").success).toBe(false);
    expect(emailSchema.safeParse(`${"a".repeat(250)}@x.io`).success).toBe(false);
    expect(emailSchema.safeParse(42).success).toBe(false);
  });
});

describe("context-specific words", () => {
  it("are the product's name and the distinctive labels of the address Keyward is served at", () => {
    expect(contextWords("iam.acme-corp.com")).toEqual(["keyward", "acme-corp"]);
    expect(contextWords("localhost")).toEqual(["keyward"]);
    expect(contextWords("10.0.0.7")).toEqual(["keyward"]);
  });

  it("refuse passwords built on them, through case, separators and digit substitutions", () => {
    const words = contextWords("login.globex.example");
    for (const password of [
      "Keyward2026!secret",
      "k3y-w4rd is my vault",
      "GLOBEX summer party",
      "gl0b3x forever and ever",
    ]) {
      expect(() => assertAcceptablePassword(password, { words }), password).toThrow(/built on/);
    }
    expect(() => assertAcceptablePassword("violet tractor sings at dawn", { words })).not.toThrow();
    expect(() =>
      assertAcceptablePassword("AcmeCorp rules the world", { words: contextWords("acme-corp.io") }),
    ).toThrow(/built on/);
  });
});
