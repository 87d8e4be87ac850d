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
  "user.password_changed",
  "settings.encryption_key_rotated",
  "user.password_change_failed",
  "user.password_reset_issued",
  "user.password_reset_requested",
  "user.password_reset",
  // Issue 15: "Verify your email" mailed a link, and a mailed link was used (User.emailVerifiedAt).
  "user.email_verification_sent",
  "user.email_verified",
  "audit.verified",
  "audit.pruned",
  // Issue 12 §3 (OAuth, h4): the first client-credentials issuance per client per hour, with a count.
  "oauth.token_issued",
  // Client reassignment (issue 12, h2): proposed by a manager, accepted or declined by the new owner.
  "client.reassignment_proposed",
  "client.reassignment_accepted",
  "client.reassignment_declined",
  // The API registry (issue 14, h1): APIs and their permissions; targets are the API (kind "api").
  "api.created",
  "api.updated",
  "api.disabled",
  "api.enabled",
  "api.deleted",
  "api_permission.added",
  "api_permission.updated",
  "api_permission.deprecated",
  "api_permission.removed",
  "api_permissions.imported",

  // Issue 14 §5 (h3): resource-server credentials, the only ones that introspect, for their API.
  "resource_server_credential.created",
  "resource_server_credential.rotated",
  "resource_server_credential.revoked",

  // Issue 15 (applications): apps that sign users in through Keyward; targets are the app (kind "app").
  "app.created",
  "app.updated",
  "app.secret_rotated",
  "app.disabled",
  "app.enabled",
  "app.deleted",
  // Single sign-on (issue 15 §6): a user signed in to an app (a code issued, single sign-on
  // included), allowed or declined a third-party app's consent; a reused code or refresh token
  // (its grant revoked, RFC 9700 §4.14.2).
  "app.sign_in",
  "app.consent_given",
  "app.consent_declined",
  "oauth.grant_reuse_detected",
  // A user took back what they allowed an app (My account → Connected apps): its grants and tokens end.
  "app.consent_revoked",
  // The security overview (issue 17): its one-click remedies, accepted risks and what it mails.
  "token.narrowed",
  "token.expiry_set",
  "client.narrowed",
  "client.secret_expiry_set",
  "credential.owner_reminded",
  "risk.accepted",
  "risk.acceptance_expired",
  "risk.acceptance_withdrawn",
  "account.notifications_updated",
  "notification.digest_sent",
  "notification.failure_alert_sent",
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
export type AuditOutcome = "success" | "failure" | "denied";
export type AuditActor = {
  kind: "user" | "token" | "client" | "system" | "anonymous";
  id?: string;
  display?: string;
};
export type AuditTarget = { kind: string; id: string; display?: string };
