import { describe, expect, it } from "vitest";

import { AppError } from "../errors/app-error.ts";
import { assertAcceptablePassword } from "./password-policy.ts";
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
