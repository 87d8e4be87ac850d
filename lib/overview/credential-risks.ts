import { riskItemsForJobs } from "./risk-lists.ts";
import { riskWindow } from "./risk-params.ts";
import { DIGEST_RISKS, type RiskItem } from "./risks.ts";

/** At most this many items of each list go into one week's digests (the rest are on the overview). */
const PER_LIST = 5_000;

/**
 * What each owner's weekly digest would say: their tokens and clients that are about to stop,
 * idle, never used or over-scoped (accepted risks left out), by owner id. Owners who turned the
 * digest off or are not active are the digest job's to leave out.
 */
export async function digestItems(now: Date): Promise<Map<string, RiskItem[]>> {
  const window = await riskWindow(now);
  const byOwner = new Map<string, RiskItem[]>();
  for (const risk of DIGEST_RISKS) {
    for (const item of await riskItemsForJobs(risk, { limit: PER_LIST, window })) {
      if (!item.owner) continue;
      const list = byOwner.get(item.owner.id) ?? [];
      list.push(item);
      byOwner.set(item.owner.id, list);
    }
  }
  return byOwner;
}
