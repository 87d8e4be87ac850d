/** The catalog of audited actions. New features add theirs here so filters and exports know them. */
export const AUDIT_ACTIONS = [
  "setup.completed",
  "setup.code_rejected",
  "user.created",
  "user.disabled",
  "user.enabled",
  "auth.password_verified",
  "auth.sign_in",
  "auth.sign_in_failed",
  "auth.sign_in_throttled",
  "auth.sign_out",
  "session.revoked",
  "access.denied",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = "success" | "failure" | "denied";
export type AuditActor = { kind: "user" | "system" | "anonymous"; id?: string; display?: string };
export type AuditTarget = { kind: string; id: string; display?: string };
