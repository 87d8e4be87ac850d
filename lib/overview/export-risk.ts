import type { Principal } from "../auth/principal.ts";
import { csvCell } from "../audit/export-events.ts";
import { Forbidden } from "../errors/app-error.ts";
import { allRiskItems, visibleRisks } from "./risk-lists.ts";
import type { RiskItem, RiskKey } from "./risks.ts";

const COLUMNS = ["risk", "kind", "id", "name", "ownerName", "ownerEmail", "at", "used", "unused"] as const;

function row(item: RiskItem): string {
  const cells = [
    item.risk,
    item.targetKind,
    item.targetId,
    item.name,
    item.owner?.name ?? "",
    item.owner?.email ?? "",
    item.at ? item.at.toISOString() : "",
    (item.used ?? []).join(" "),
    (item.unused ?? []).join(" "),
  ];
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/**
 * One risk list as CSV (RFC 4180, formula-safe cells, as the audit export), streamed a page at a
 * time so memory stays flat however long the list. Same permission as the list.
 */
export function exportRiskList(
  principal: Principal,
  risk: RiskKey,
): { filename: string; body: ReadableStream<Uint8Array> } {
  // Checked before the response starts: the generator's own check would run only once streaming has.
  if (!visibleRisks(principal).includes(risk)) throw Forbidden();
  const encoder = new TextEncoder();
  const items = allRiskItems(principal, risk);
  let started = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(`${COLUMNS.join(",")}\r\n`));
      }
      const chunk: string[] = [];
      for (let i = 0; i < 500; i++) {
        const next = await items.next();
        if (next.done) {
          if (chunk.length > 0) controller.enqueue(encoder.encode(chunk.join("")));
          controller.close();
          return;
        }
        chunk.push(row(next.value));
      }
      controller.enqueue(encoder.encode(chunk.join("")));
    },
  });
  const stamp = new Date().toISOString().slice(0, 10);
  return { filename: `keyward-${risk.replace(".", "-")}-${stamp}.csv`, body };
}
