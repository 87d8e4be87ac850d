import { auditActor } from "./actor.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { authorize } from "../policy/authorize.ts";
import type { ExportAuditEventsInput } from "./audit-schemas.ts";
import { type AuditEventView, auditWhere, toAuditEventView } from "./list-events.ts";
import { recordAudit } from "./record-audit.ts";

const PAGE = 1_000;

const COLUMNS = [
  "id",
  "occurredAt",
  "action",
  "outcome",
  "actorKind",
  "actorId",
  "actorDisplay",
  "targetKind",
  "targetId",
  "targetDisplay",
  "ip",
  "userAgent",
  "requestId",
  "details",
  "hash",
] as const;

function flat(event: AuditEventView): Record<(typeof COLUMNS)[number], string> {
  return {
    id: event.id,
    occurredAt: event.occurredAt.toISOString(),
    action: event.action,
    outcome: event.outcome,
    actorKind: event.actor.kind,
    actorId: event.actor.id ?? "",
    actorDisplay: event.actor.display ?? "",
    targetKind: event.target?.kind ?? "",
    targetId: event.target?.id ?? "",
    targetDisplay: event.target?.display ?? "",
    ip: event.ip ?? "",
    userAgent: event.userAgent ?? "",
    requestId: event.requestId ?? "",
    details: JSON.stringify(event.details ?? {}),
    hash: event.hash,
  };
}

/**
 * RFC 4180 quoting, and OWASP's defence against formula injection: names and emails are chosen by
 * users, and a cell starting with = + - @ (or a tab or carriage return) would run in a spreadsheet.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

function line(event: AuditEventView, format: "csv" | "jsonl"): string {
  if (format === "jsonl")
    return `${JSON.stringify({ ...event, occurredAt: event.occurredAt.toISOString() })}\n`;
  const row = flat(event);
  return `${COLUMNS.map((column) => csvCell(row[column])).join(",")}\r\n`;
}

/**
 * Every event matching the filters, newest first, streamed a page at a time (memory stays flat
 * whatever the size). The export itself is recorded, with its filters.
 */
export async function exportAuditEvents(
  actor: Principal,
  input: ExportAuditEventsInput,
  context: RequestContext,
): Promise<{ contentType: string; filename: string; body: ReadableStream<Uint8Array> }> {
  authorize(actor, "audit.read");
  const { format, limit: _limit, ...filters } = input;
  await db.$transaction((tx) =>
    recordAudit(tx, {
      action: "audit.exported",
      actor: auditActor(actor),
      context,
      details: { format, filters },
    }),
  );
  const encoder = new TextEncoder();
  let after = filters.after;
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        if (format === "csv") controller.enqueue(encoder.encode(`${COLUMNS.join(",")}\r\n`));
      }
      const rows = await db.auditEvent.findMany({
        where: auditWhere({ ...filters, after }),
        orderBy: { id: "desc" },
        take: PAGE,
      });
      if (rows.length > 0) {
        controller.enqueue(encoder.encode(rows.map((row) => line(toAuditEventView(row), format)).join("")));
        after = rows.at(-1)?.id.toString();
      }
      if (rows.length < PAGE) controller.close();
    },
  });
  const stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
  return {
    contentType: format === "csv" ? "text/csv; charset=utf-8" : "application/jsonl; charset=utf-8",
    filename: `keyward-audit-${stamp}.${format}`,
    body,
  };
}
