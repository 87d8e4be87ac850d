import type { Principal } from "../auth/principal.ts";
import type { AuditActor } from "./actions.ts";

/** How a principal appears in the audit log: its id and a display snapshot. */
export function auditActor(principal: Principal): AuditActor {
  return { kind: "user", id: principal.userId, display: principal.email };
}
