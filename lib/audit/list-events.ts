import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { cursorPage } from "../db/cursor-page.ts";
import type { Prisma } from "../db/generated/client.ts";
import { NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import type { ListAuditEventsInput } from "./audit-schemas.ts";

export type AuditEventView = {
  id: string;
  occurredAt: Date;
  action: string;
  outcome: string;
  actor: { kind: string; id: string | null; display: string | null };
  target: { kind: string; id: string; display: string | null } | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: unknown;
  hash: string;
};

type Row = Prisma.AuditEventGetPayload<object>;

export function toAuditEventView(row: Row): AuditEventView {
  return {
    id: row.id.toString(),
    occurredAt: row.occurredAt,
    action: row.action,
    outcome: row.outcome,
    actor: { kind: row.actorKind, id: row.actorId, display: row.actorDisplay },
    target:
      row.targetKind && row.targetId
        ? { kind: row.targetKind, id: row.targetId, display: row.targetDisplay }
        : null,
    ip: row.ip,
    userAgent: row.userAgent,
    requestId: row.requestId,
    details: row.details,
    hash: row.hash,
  };
}

/** The filters as a query: each rides an index (actor, target, action, time: lib/db schema). */
export function auditWhere(input: Omit<ListAuditEventsInput, "limit">): Prisma.AuditEventWhereInput {
  return {
    ...(input.actor ? { actorId: input.actor } : {}),
    ...(input.target ? { targetId: input.target } : {}),
    ...(input.action ? { action: input.action } : {}),
    ...(input.outcome ? { outcome: input.outcome } : {}),
    ...(input.from || input.to
      ? {
          occurredAt: {
            ...(input.from ? { gte: new Date(input.from) } : {}),
            ...(input.to ? { lte: new Date(input.to) } : {}),
          },
        }
      : {}),
    ...(input.after ? { id: { lt: BigInt(input.after) } } : {}),
  };
}

/** Newest first, a page at a time by id (the chain order): every filter rides an index. */
export async function listAuditEvents(
  actor: Principal,
  input: ListAuditEventsInput,
): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
  authorize(actor, "audit.read");
  const where = auditWhere(input);
  const rows = await db.auditEvent.findMany({ where, orderBy: { id: "desc" }, take: input.limit + 1 });
  return cursorPage(rows, input.limit, toAuditEventView);
}

export async function getAuditEvent(actor: Principal, eventId: string): Promise<AuditEventView> {
  authorize(actor, "audit.read");
  const row = await db.auditEvent.findUnique({ where: { id: BigInt(eventId) } });
  if (!row) throw NotFound("audit event");
  return toAuditEventView(row);
}
