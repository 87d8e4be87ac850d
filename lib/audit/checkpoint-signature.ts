import { createHmac } from "node:crypto";

import { constantTimeEqual } from "../crypto/hash.ts";
import { keyId, type Keyring } from "../crypto/encryption.ts";

/**
 * A checkpoint (the position and hash of the last pruned event) is signed with an HMAC under the
 * encryption key, named by its key id: whoever can edit the database but not read the key cannot
 * forge a checkpoint to hide edits behind a prune.
 */
function mac(key: Buffer, lastId: bigint, lastHash: string): string {
  return createHmac("sha256", key)
    .update(`keyward-audit-checkpoint:${lastId.toString()}:${lastHash}`)
    .digest("hex");
}

export function signCheckpoint(keyring: Keyring, lastId: bigint, lastHash: string): string {
  const key = keyring[0];
  if (!key) throw new Error("no encryption key");
  return `${keyId(key)}.${mac(key, lastId, lastHash)}`;
}

export function checkpointSignatureValid(
  keyring: Keyring,
  lastId: bigint,
  lastHash: string,
  signature: string,
): boolean {
  const [kid, value] = signature.split(".");
  const key = keyring.find((candidate) => keyId(candidate) === kid);
  return Boolean(key && value && constantTimeEqual(value, mac(key, lastId, lastHash)));
}
