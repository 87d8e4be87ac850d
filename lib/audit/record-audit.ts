import type { RequestContext } from "../auth/principal.ts";
import type { Tx } from "../db/client.ts";
import type { AuditAction, AuditActor, AuditOutcome, AuditTarget } from "./actions.ts";
import { eventHash, GENESIS_HASH, type HashedEvent } from "./canonical.ts";

export type AuditEventInput = {
  action: AuditAction;
  actor: AuditActor;
  target?: AuditTarget;
  outcome?: AuditOutcome;
  context: RequestContext;
  /** A before/after summary. Never secrets, tokens, codes or password hashes. */
  details?: Record<string, unknown>;
};

/** Any constant: the advisory lock that serialises appends to the chain. */
export const AUDIT_CHAIN_LOCK = 7_294_011;

/**
 * Appends an event inside the caller's transaction: no change without its event, no event without
 * its change. The advisory lock makes read-last + insert atomic across writers, so the chain cannot
 * fork; it is released when the transaction ends.
 */
export async function recordAudit(tx: Tx, input: AuditEventInput): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const prevHash = await lastHash(tx);
  const [row] = await tx.$queryRaw<{ id: bigint }[]>`SELECT nextval('"AuditEvent_id_seq"') AS id`;
  if (!row) throw new Error("audit sequence returned nothing");
  const event: HashedEvent = {
    id: row.id,
    occurredAt: new Date(),
    actorKind: input.actor.kind,
    actorId: input.actor.id ?? null,
    actorDisplay: input.actor.display ?? null,
    action: input.action,
    targetKind: input.target?.kind ?? null,
    targetId: input.target?.id ?? null,
    targetDisplay: input.target?.display ?? null,
    outcome: input.outcome ?? "success",
    ip: input.context.ip || null,
    userAgent: input.context.userAgent ? input.context.userAgent.slice(0, 512) : null,
    requestId: input.context.requestId || null,
    details: input.details ?? {},
  };
  await tx.auditEvent.create({
    data: { ...event, details: event.details as object, prevHash, hash: eventHash(prevHash, event) },
  });
}

async function lastHash(tx: Tx): Promise<string> {
  const last = await tx.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { hash: true } });
  if (last) return last.hash;
  const checkpoint = await tx.auditCheckpoint.findFirst({
    orderBy: { lastId: "desc" },
    select: { lastHash: true },
  });
  return checkpoint?.lastHash ?? GENESIS_HASH;
}
