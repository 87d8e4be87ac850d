import type { AuditAction } from "../audit/actions.ts";

/**
 * The account events a user is shown under "Recent security activity" and told about by mail:
 * every change to how the account proves itself or what it may do. One wording for both.
 */
export const SECURITY_EVENT_TITLES = {
  "mfa.totp_enrolled": "Authenticator app added",
  "mfa.webauthn_registered": "Passkey or security key added",
  "mfa.factor_removed": "Second factor removed",
  "mfa.recovery_codes_generated": "New recovery codes created",
  "mfa.reset": "Second factors reset",
  "user.password_changed": "Password changed",
  "user.password_reset": "Password reset with a link",
  "user.password_reset_issued": "Password-reset link issued",
  "user.password_reset_requested": "Password-reset link requested",
  "user.updated": "Email or name changed",
  "user.role_assigned": "Role added",
  "user.role_removed": "Role removed",
} as const satisfies Partial<Record<AuditAction, string>>;

export type SecurityEventAction = keyof typeof SECURITY_EVENT_TITLES;

export const SECURITY_EVENT_ACTIONS = Object.keys(SECURITY_EVENT_TITLES) as SecurityEventAction[];

/**
 * Events whose audit target is the account itself (targetId = the user). Factor events name the
 * factor as their target instead, and are found by their actor: only the user adds, removes or
 * regenerates their own factors.
 */
export const ACCOUNT_TARGET_ACTIONS: SecurityEventAction[] = [
  "mfa.recovery_codes_generated",
  "mfa.reset",
  "user.password_changed",
  "user.password_reset",
  "user.password_reset_issued",
  "user.password_reset_requested",
  "user.updated",
  "user.role_assigned",
  "user.role_removed",
];
export const OWN_FACTOR_ACTIONS: SecurityEventAction[] = [
  "mfa.totp_enrolled",
  "mfa.webauthn_registered",
  "mfa.factor_removed",
];

const FACTOR_KIND: Record<string, string> = {
  totp: "authenticator app",
  webauthn: "passkey or security key",
};

type EventShape = {
  action: string;
  targetKind: string | null;
  targetDisplay: string | null;
  details: unknown;
};

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};

/** A short title and a line of detail for one event, from what its audit record holds. */
export function describeSecurityEvent(event: EventShape): { title: string; detail: string } {
  const title = SECURITY_EVENT_TITLES[event.action as SecurityEventAction] ?? event.action;
  const details = record(event.details);
  switch (event.action) {
    case "mfa.totp_enrolled":
    case "mfa.webauthn_registered":
      return { title, detail: event.targetDisplay ? `“${event.targetDisplay}”` : "" };
    case "mfa.factor_removed": {
      const kind = FACTOR_KIND[event.targetKind ?? ""] ?? "second factor";
      return {
        title: `${kind.charAt(0).toUpperCase()}${kind.slice(1)} removed`,
        detail: event.targetDisplay ? `“${event.targetDisplay}”` : "",
      };
    }
    case "user.updated": {
      const before = record(details.before);
      const after = record(details.after);
      if (before.email !== after.email)
        return { title: "Email changed", detail: `${String(before.email)} → ${String(after.email)}` };
      return { title: "Name changed", detail: `${String(before.name)} → ${String(after.name)}` };
    }
    case "user.role_assigned":
    case "user.role_removed": {
      const role = record(details.role);
      return { title, detail: typeof role.name === "string" ? role.name : "" };
    }
    default:
      return { title, detail: "" };
  }
}
