import { SYSTEM_CONTEXT } from "../auth/principal.ts";
import type { AuditActor } from "../audit/actions.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Tx } from "../db/client.ts";
import { withJobLock } from "./run-once.ts";

const SYSTEM: AuditActor = { kind: "system", display: "keyward" };

type Expired = {
  id: string;
  risk: string;
  targetId: string;
  targetKind: string;
  reason: string;
  until: Date;
};

/**
 * An accepted risk whose date has come is back on its list: stamped `expiredAt` and recorded, one
 * `risk.acceptance_expired` event per acceptance, in one transaction with the stamps. Exactly once
 * with instances racing: the job's lock keeps a second instance out, and should it get in anyway
 * (the first committed meanwhile), the UPDATE's `expiredAt IS NULL`, re-checked on the row after
 * the first commit, leaves it nothing to return.
 */
export async function expireAcceptances(now: Date): Promise<number> {
  const done = await withJobLock("acceptance-expiry", async (tx) => {
    const expired = await stampExpired(tx, now);
    for (const acceptance of expired) {
      await recordAudit(tx, {
        action: "risk.acceptance_expired",
        actor: SYSTEM,
        target: { kind: acceptance.targetKind, id: acceptance.targetId },
        context: SYSTEM_CONTEXT,
        details: {
          acceptanceId: acceptance.id,
          risk: acceptance.risk,
          reason: acceptance.reason,
          until: acceptance.until.toISOString(),
        },
      });
    }
    return expired.length;
  });
  return done?.value ?? 0;
}

// The columns are UTC timestamps without a zone: the parameter is put in UTC explicitly, whatever
// the session's time zone.
async function stampExpired(tx: Tx, now: Date): Promise<Expired[]> {
  return tx.$queryRaw<Expired[]>`
    WITH at AS (SELECT (${now}::timestamptz AT TIME ZONE 'UTC') AS now)
    UPDATE "RiskAcceptance" SET "expiredAt" = at.now FROM at
    WHERE "until" <= at.now AND "expiredAt" IS NULL AND "revokedAt" IS NULL
    RETURNING id, risk, "targetId", "targetKind", reason, "until"`;
}
