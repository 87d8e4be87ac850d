import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

import { sha256Hex } from "./hash.ts";

/**
 * AES-256-GCM for secrets at rest (TOTP secrets, signing keys).
 * Format: `v1.<key id>.<iv>.<ciphertext>.<tag>` (base64url parts). The key id lets the key rotate:
 * decryption finds the key that wrote a value; encryption always uses the first (current) key.
 */
export type Keyring = readonly Buffer[];

const VERSION = "v1";

export function keyId(key: Buffer): string {
  return sha256Hex(Buffer.concat([Buffer.from("keyward-key-id:"), key])).slice(0, 12);
}

export function encrypt(keyring: Keyring, plaintext: string, context = ""): string {
  const key = keyring[0];
  if (!key) throw new Error("no encryption key");
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  // The context (e.g. "totp:<factor id>") is bound as associated data: a ciphertext moved to another row fails.
  cipher.setAAD(Buffer.from(context));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return [
    VERSION,
    keyId(key),
    iv.toString("base64url"),
    body.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
  ].join(".");
}

export class DecryptionError extends Error {
  override name = "DecryptionError";
}

export function decrypt(keyring: Keyring, value: string, context = ""): string {
  const [version, kid, iv, body, tag] = value.split(".");
  if (version !== VERSION || !kid || !iv || body === undefined || !tag)
    throw new DecryptionError("malformed ciphertext");
  const key = keyring.find((k) => keyId(k) === kid);
  if (!key) throw new DecryptionError(`no key with id ${kid}`);
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(context));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(body, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    throw new DecryptionError("ciphertext failed authentication");
  }
}

/** The key id a stored value was written with (for re-encryption after rotation). */
export function ciphertextKeyId(value: string): string | undefined {
  return value.split(".")[1];
}
