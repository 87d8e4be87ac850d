import { describe, expect, it } from "vitest";

import { hashPassword, verifyAgainstDummy, verifyPassword } from "./password.ts";

// Guarantee: passwords are stored as argon2id at no less than OWASP's minimum cost.
describe("password hashing", () => {
  it("produces argon2id with m=19456 KiB, t=2, p=1", async () => {
    const hash = await hashPassword("a long enough passphrase");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it("verifies the right password and refuses a wrong one", async () => {
    const hash = await hashPassword("a long enough passphrase");
    expect(await verifyPassword(hash, "a long enough passphrase")).toBe(true);
    expect(await verifyPassword(hash, "a long enough passphrasE")).toBe(false);
  });

  it("treats a corrupt stored hash as a failed verification", async () => {
    expect(await verifyPassword("not-a-hash", "anything")).toBe(false);
  });

  it("spends real work on unknown accounts (dummy verification)", async () => {
    expect(await verifyAgainstDummy("whatever")).toBe(false);
  });
});
