import type { Principal, RequestContext } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { authorize } from "../policy/authorize.ts";
import { auditActor } from "./actor.ts";
import { recordAudit } from "./record-audit.ts";
import { type ChainVerification, verifyAuditChain } from "./verify-chain.ts";

/** An administrator's check of the chain (audit.read); the check itself goes on the record. */
export async function verifyAuditLog(actor: Principal, context: RequestContext): Promise<ChainVerification> {
  authorize(actor, "audit.read");
  const result = await verifyAuditChain(db);
  await db.$transaction((tx) =>
    recordAudit(tx, {
      action: "audit.verified",
      actor: auditActor(actor),
      outcome: result.ok ? "success" : "failure",
      context,
      details: result.ok
        ? { checked: result.checked }
        : { checked: result.checked, firstBadId: result.firstBadId.toString(), reason: result.reason },
    }),
  );
  return result;
}
