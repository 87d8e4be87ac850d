import type { Principal, RequestContext } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { authorize } from "../policy/authorize.ts";
import { auditActor } from "./actor.ts";
import { recordAudit } from "./record-audit.ts";
import { type ChainVerification, formatHead, verifyAuditChain } from "./verify-chain.ts";

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
      details: {
        checked: result.checked,
        checkpoints: result.checkpoints,
        head: result.head ? formatHead(result.head) : null,
        ...(result.ok
          ? {}
          : {
              problems: result.problemCount,
              // The first few, so that the record says where without growing with the damage.
              bad: result.problems.slice(0, 10).map((p) => ({ id: p.id.toString(), reason: p.reason })),
            }),
      },
    }),
  );
  return result;
}
