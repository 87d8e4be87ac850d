import type { Principal } from "../auth/principal.ts";
import type { AuditActor } from "./actions.ts";

/** How a principal appears in the audit log: its id and a display snapshot naming who answers for it. */
export function auditActor(principal: Principal): AuditActor {
  switch (principal.kind) {
    case "user":
      return { kind: "user", id: principal.userId, display: principal.email };
    case "token":
      return { kind: "token", id: principal.tokenId, display: `${principal.tokenName} (${principal.email})` };
    case "client":
      return { kind: "client", id: principal.clientId, display: principal.clientName };
  }
}
