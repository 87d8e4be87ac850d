import { createHmac } from "node:crypto";

import { constantTimeEqual } from "../crypto/hash.ts";
import { keyId, type Keyring } from "../crypto/encryption.ts";

/**
 * Checkpoints are signed with an HMAC under the encryption key, named by its key id: whoever can
 * edit the database but not read the key cannot forge one. Two kinds, with their own domain so that
 * one cannot stand in for the other:
 * - "retention": the position and hash of the last pruned event, where verification starts;
 * - "head": the position and hash of the chain's head at some moment, which the chain must still
 *   pass through (lib/audit/head-checkpoints.ts). Were they interchangeable, a copied head
 *   checkpoint would let an insider "prune" every event before it unseen;
 * - "adopted": a head signed once by the operator for a log older than head checkpoints, before
 *   which none are required. Its own domain, so that relabelling a head checkpoint forges nothing.
 */
export type CheckpointKind = "retention" | "head" | "adopted";

const DOMAIN: Record<CheckpointKind, string> = {
  retention: "keyward-audit-checkpoint",
  head: "keyward-audit-head",
  adopted: "keyward-audit-adopted",
};

function mac(key: Buffer, kind: CheckpointKind, lastId: bigint, lastHash: string): string {
  return createHmac("sha256", key).update(`${DOMAIN[kind]}:${lastId.toString()}:${lastHash}`).digest("hex");
}

export function signCheckpoint(
  keyring: Keyring,
  lastId: bigint,
  lastHash: string,
  kind: CheckpointKind = "retention",
): string {
  const key = keyring[0];
  if (!key) throw new Error("no encryption key");
  return `${keyId(key)}.${mac(key, kind, lastId, lastHash)}`;
}

export function checkpointSignatureValid(
  keyring: Keyring,
  lastId: bigint,
  lastHash: string,
  signature: string,
  kind: CheckpointKind = "retention",
): boolean {
  const [kid, value] = signature.split(".");
  const key = keyring.find((candidate) => keyId(candidate) === kid);
  return Boolean(key && value && constantTimeEqual(value, mac(key, kind, lastId, lastHash)));
}
