import type { Principal } from "../auth/principal.ts";
import { can } from "../policy/authorize.ts";
import type { Permission } from "../policy/permissions.ts";

/**
 * Who may get the failure-spike alert: those who could see the attack anyway (the audit log) or
 * change what it is measured against (Settings). The alert names targeted accounts and source
 * addresses, which nobody else may read.
 */
export const FAILURE_ALERT_PERMISSIONS = [
  "audit.read",
  "settings.write",
] as const satisfies readonly Permission[];

export function mayReceiveFailureAlerts(principal: Principal): boolean {
  return FAILURE_ALERT_PERMISSIONS.some((permission) => can(principal, permission));
}
