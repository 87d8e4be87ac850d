import { getConfig } from "../config/env.ts";
import type { Keyring } from "../crypto/encryption.ts";
import type { Db, Tx } from "../db/client.ts";
import { lockAuditChain } from "./chain-lock.ts";
import { signCheckpoint } from "./checkpoint-signature.ts";

/**
 * The chain is plain SHA-256 (lib/audit/canonical.ts): anyone who can write rows can recompute it.
 * What they cannot do without the encryption key is sign. So the head of the chain is signed every
 * AUDIT_CHECKPOINT_INTERVAL positions and at each key rotation, and verification requires the chain
 * to pass through every signed head: a rewrite before a checkpoint, or dropping the events up to
 * one, is caught. What happened after the newest checkpoint is covered by `--expect-head` only.
 */
export const AUDIT_CHECKPOINT_INTERVAL = BigInt(1000);

export type HeadCheckpointReason = "interval" | "key_rotation" | "adopted";

/** The signature domain of a head checkpoint: "adopted" ones are their own kind (see below). */
export const headKind = (reason: string) => (reason === "adopted" ? "adopted" : "head");

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
  const signature = signCheckpoint(keyring, head.id, head.hash, headKind(reason));
  await tx.auditHeadCheckpoint.upsert({
    where: { lastId: head.id },
    create: { lastId: head.id, lastHash: head.hash, reason, signature },
    update: { lastHash: head.hash, reason, signature },
  });
}

/**
 * For a log older than head checkpoints (an upgraded installation): signs its current head as the
 * point before which none are required, so that verification does not report the missing ones.
 * Once per installation and only by the operator (`npm run audit:verify -- --adopt-existing`):
 * were it automatic, an insider who deleted every checkpoint could have the log adopted afresh.
 */
export async function adoptExistingChain(client: Db): Promise<{ id: bigint; hash: string }> {
  return client.$transaction(async (tx) => {
    await lockAuditChain(tx);
    if (await tx.auditHeadCheckpoint.findFirst({ where: { reason: "adopted" } })) {
      throw new Error("this audit log was adopted already: a second adoption would hide deleted checkpoints");
    }
    const head = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true, hash: true } });
    if (!head) throw new Error("the audit log is empty: there is nothing to adopt");
    await writeHeadCheckpoint(tx, head, "adopted");
    return head;
  });
}
