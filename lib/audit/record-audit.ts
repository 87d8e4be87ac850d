import type { RequestContext } from "../auth/principal.ts";
import type { Tx } from "../db/client.ts";
import type { AuditAction, AuditActor, AuditOutcome, AuditTarget } from "./actions.ts";
import { eventHash, GENESIS_HASH, type HashedEvent } from "./canonical.ts";
import { lockAuditChain } from "./chain-lock.ts";
import { checkpointDue, writeHeadCheckpoint } from "./head-checkpoints.ts";

export type AuditEventInput = {
  action: AuditAction;
  actor: AuditActor;
  target?: AuditTarget;
  outcome?: AuditOutcome;
  context: RequestContext;
  /** A before/after summary. Never secrets, tokens, codes or password hashes. */
  details?: Record<string, unknown>;
};

export { AUDIT_CHAIN_LOCK } from "./chain-lock.ts";

/**
 * Appends an event inside the caller's transaction: no change without its event, no event without
 * its change. The advisory lock makes read-last + insert atomic across writers, so the chain cannot
 * fork; it is released when the transaction ends.
 */
export async function recordAudit(tx: Tx, input: AuditEventInput): Promise<void> {
  await appendAuditEvent(tx, input);
}

/** recordAudit, returning the new head (id and hash) for the callers that sign it. */
export async function appendAuditEvent(
  tx: Tx,
  input: AuditEventInput,
): Promise<{ id: bigint; hash: string }> {
  await lockAuditChain(tx);
  const details = storableDetails(input.details ?? {});
  // One round trip: the position, the previous hash, the newest head checkpoint, and the details as
  // PostgreSQL's jsonb will store and return them (its own number and key forms): the hash covers
  // exactly what verification will read back.
  const [row] = await tx.$queryRaw<
    {
      id: bigint;
      lastHash: string | null;
      checkpointId: bigint | null;
      details: unknown;
    }[]
  >`SELECT nextval('"AuditEvent_id_seq"') AS id,
      COALESCE(
        (SELECT hash FROM "AuditEvent" ORDER BY id DESC LIMIT 1),
        -- Only when every event is pruned: the retention checkpoint's hash carries the chain on.
        (SELECT "lastHash" FROM "AuditCheckpoint" ORDER BY "lastId" DESC LIMIT 1)
      ) AS "lastHash",
      (SELECT max("lastId") FROM "AuditHeadCheckpoint") AS "checkpointId",
      ${JSON.stringify(details)}::jsonb AS details`;
  if (!row) throw new Error("audit sequence returned nothing");
  const prevHash = row.lastHash ?? GENESIS_HASH;
  const event: HashedEvent = {
    id: row.id,
    occurredAt: new Date(),
    actorKind: storableText(input.actor.kind),
    actorId: storableText(input.actor.id),
    actorDisplay: storableText(input.actor.display),
    action: storableText(input.action),
    targetKind: storableText(input.target?.kind),
    targetId: storableText(input.target?.id),
    targetDisplay: storableText(input.target?.display),
    outcome: storableText(input.outcome ?? "success"),
    ip: storableText(input.context.ip || null),
    // Cut before cleaning: a cut between the halves of a surrogate pair leaves a lone one.
    userAgent: storableText(input.context.userAgent ? input.context.userAgent.slice(0, 512) : null),
    requestId: storableText(input.context.requestId || null),
    details: row.details,
  };
  const hash = eventHash(prevHash, event);
  await tx.auditEvent.create({ data: { ...event, details: event.details as object, prevHash, hash } });
  if (checkpointDue(row.id, row.checkpointId))
    await writeHeadCheckpoint(tx, { id: row.id, hash }, "interval");
  return { id: row.id, hash };
}

/**
 * Text as PostgreSQL stores it, so that stored == hashed even if ill-formed text got past the door
 * (lib/http/no-nul.ts): a lone surrogate, which PostgreSQL would turn into U+FFFD on its own (or
 * refuse inside jsonb), and NUL, which it refuses, both become U+FFFD here.
 */
function storableText<T extends string | null | undefined>(text: T): T extends string ? string : null {
  type Out = T extends string ? string : null;
  if (typeof text !== "string") return null as Out;
  return text.toWellFormed().replaceAll("\u0000", "\ufffd") as Out;
}

/** Details as JSON would carry them (Dates as strings, no undefined), every key and string storable. */
function storableDetails(details: Record<string, unknown>): unknown {
  return JSON.parse(JSON.stringify(details), (_key, value: unknown) => {
    if (typeof value === "string") return storableText(value);
    if (value && typeof value === "object" && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value).map(([key, child]) => [storableText(key), child]));
    }
    return value;
  }) as unknown;
}
