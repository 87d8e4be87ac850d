import type { RequestContext } from "../auth/principal.ts";
import { getConfig } from "../config/env.ts";
import { newId } from "../crypto/ids.ts";
import { db } from "../db/client.ts";
import { getSettings } from "../settings/settings.ts";
import type { AuditActor } from "./actions.ts";
import { signCheckpoint } from "./checkpoint-signature.ts";
import { lockAuditChain } from "./chain-lock.ts";
import { recordAudit } from "./record-audit.ts";

/**
 * Retention: deletes events older than the retention setting (0 = keep everything) and leaves a
 * signed checkpoint holding the last deleted event's position and hash, from which verification
 * continues. Runs under the chain's lock, with its own audit event, in one transaction.
 */
export async function pruneAuditEvents(input: {
  actor: AuditActor;
  context: RequestContext;
  now?: Date;
}): Promise<{ pruned: number; checkpointId: string | null }> {
  const days = (await getSettings(db, { fresh: true })).auditRetentionDays;
  if (days === 0) return { pruned: 0, checkpointId: null };
  const cutoff = new Date((input.now ?? new Date()).getTime() - days * 86_400_000);
  return db.$transaction(async (tx) => {
    await lockAuditChain(tx);
    const last = await tx.auditEvent.findFirst({
      where: { occurredAt: { lt: cutoff } },
      orderBy: { id: "desc" },
      select: { id: true, hash: true },
    });
    if (!last) return { pruned: 0, checkpointId: null };
    const id = newId("ack");
    await tx.auditCheckpoint.create({
      data: {
        id,
        lastId: last.id,
        lastHash: last.hash,
        signature: signCheckpoint(getConfig().encryptionKeys, last.id, last.hash),
      },
    });
    const { count } = await tx.auditEvent.deleteMany({ where: { id: { lte: last.id } } });
    await recordAudit(tx, {
      action: "audit.pruned",
      actor: input.actor,
      target: { kind: "audit_checkpoint", id },
      context: input.context,
      details: { pruned: count, upToId: last.id.toString(), retentionDays: days },
    });
    return { pruned: count, checkpointId: id };
  });
}
