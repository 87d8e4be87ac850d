import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { decrypt, DecryptionError, encrypt, keyId } from "./encryption.ts";

// Guarantee: secrets at rest are confidential and tamper-evident, and survive a key rotation.
describe("encryption at rest (AES-256-GCM)", () => {
  const current = randomBytes(32);
  const previous = randomBytes(32);

  it("round-trips and never stores the plaintext", () => {
    const sealed = encrypt([current], "JBSWY3DPEHPK3PXP", "totp:tf_1");
    expect(sealed).not.toContain("JBSWY3DPEHPK3PXP");
    expect(sealed.split(".")[1]).toBe(keyId(current));
    expect(decrypt([current], sealed, "totp:tf_1")).toBe("JBSWY3DPEHPK3PXP");
  });

  it("uses a fresh nonce every time", () => {
    expect(encrypt([current], "same")).not.toBe(encrypt([current], "same"));
  });

  it("refuses a modified ciphertext", () => {
    const sealed = encrypt([current], "secret value");
    const parts = sealed.split(".");
    const body = Buffer.from(parts[3] ?? "", "base64url");
    body[0] = (body[0] ?? 0) ^ 1;
    parts[3] = body.toString("base64url");
    expect(() => decrypt([current], parts.join("."))).toThrow(DecryptionError);
  });

  it("refuses a ciphertext moved to another row (associated data)", () => {
    const sealed = encrypt([current], "secret value", "totp:tf_1");
    expect(() => decrypt([current], sealed, "totp:tf_2")).toThrow(DecryptionError);
  });

  it("decrypts with a previous key after rotation, and says which key is missing otherwise", () => {
    const old = encrypt([previous], "written before rotation");
    expect(decrypt([current, previous], old)).toBe("written before rotation");
    expect(() => decrypt([current], old)).toThrow(/no key with id/);
  });

  it("refuses garbage with a typed error, not a crash", () => {
    for (const value of ["", "v1", "v2.a.b.c.d", "v1.x.y.z"]) {
      expect(() => decrypt([current], value)).toThrow(DecryptionError);
    }
  });
});
