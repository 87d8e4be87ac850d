/** The catalog of audited actions. New features add theirs here so filters and exports know them. */
export const AUDIT_ACTIONS = [
  "setup.completed",
  "setup.code_rejected",
  "user.created",
  "user.invited",
  "user.invitation_resent",
  "user.invitation_revoked",
  "user.invitation_accepted",
  "user.updated",
  "user.disabled",
  "user.enabled",
  "user.deleted",
  "user.role_assigned",
  "user.role_removed",
  "role.created",
  "role.updated",
  "role.deleted",
  "auth.password_verified",
  "auth.sign_in",
  "auth.sign_in_failed",
  "auth.sign_in_throttled",
  "auth.sign_out",
  "session.revoked",
  "access.denied",
  "settings.updated",
  "mfa.totp_enrolled",
  "mfa.totp_enroll_failed",
  "mfa.webauthn_registered",
  "mfa.webauthn_register_failed",
  "mfa.factor_removed",
  "mfa.factor_renamed",
  "mfa.recovery_codes_generated",
  "mfa.reset",
  "auth.mfa_verified",
  "auth.mfa_failed",
  "auth.attempt_voided",
  "auth.reauthenticated",
  "auth.reauth_failed",
  "token.created",
  "token.rotated",
  "token.revoked",
  "client.created",
  "client.updated",
  "client.secret_rotated",
  "client.disabled",
  "client.enabled",
  "client.deleted",
  "oauth.token_failed",
  "oauth.token_revoked",
  "oauth.signing_key_created",
  "oauth.signing_key_rotated",
  "audit.exported",
  "audit.verified",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = "success" | "failure" | "denied";
export type AuditActor = {
  kind: "user" | "token" | "client" | "system" | "anonymous";
  id?: string;
  display?: string;
};
export type AuditTarget = { kind: string; id: string; display?: string };
