import { getConfig } from "../config/env.ts";
import type { Keyring } from "../crypto/encryption.ts";
import type { Tx } from "../db/client.ts";
import { signCheckpoint } from "./checkpoint-signature.ts";

/**
 * The chain is plain SHA-256 (lib/audit/canonical.ts): anyone who can write rows can recompute it.
 * What they cannot do without the encryption key is sign. So the head of the chain is signed every
 * AUDIT_CHECKPOINT_INTERVAL positions and at each key rotation, and verification requires the chain
 * to pass through every signed head: a rewrite before a checkpoint, or dropping the events up to
 * one, is caught. What happened after the newest checkpoint is covered by `--expect-head` only.
 */
export const AUDIT_CHECKPOINT_INTERVAL = BigInt(1000);

export type HeadCheckpointReason = "interval" | "key_rotation";

/** Whether the event at `id` is due for a checkpoint, given the newest one's position. */
export function checkpointDue(id: bigint, newestCheckpointId: bigint | null): boolean {
  return id - (newestCheckpointId ?? BigInt(0)) >= AUDIT_CHECKPOINT_INTERVAL;
}

/** Signs the event at (id, hash) as a head the chain must keep passing through. Under the chain lock. */
export async function writeHeadCheckpoint(
  tx: Tx,
  head: { id: bigint; hash: string },
  reason: HeadCheckpointReason,
  keyring: Keyring = getConfig().encryptionKeys,
): Promise<void> {
  const signature = signCheckpoint(keyring, head.id, head.hash, "head");
  await tx.auditHeadCheckpoint.upsert({
    where: { lastId: head.id },
    create: { lastId: head.id, lastHash: head.hash, reason, signature },
    update: { lastHash: head.hash, reason, signature },
  });
}
