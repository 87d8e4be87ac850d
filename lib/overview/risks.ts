/**
 * The security overview's risk lists (issue 17): one key per list, what it holds and which
 * one-click remedies it offers. The overview's cards, its list pages, the REST API, accepted risks
 * and the owners' digest all name a list by this key, so it is the one place a list is defined.
 */
export type RiskTargetKind = "user" | "token" | "client";

export type Remedy =
  /** Tokens: revoke; clients: disable (a client's secret is its credential). */
  | "revoke"
  /** Tokens: set an expiry; clients: make the current secret expire. */
  | "set_expiry"
  /** Keep only the permissions it used in the idle window (the same secret keeps working). */
  | "narrow"
  /** Disable the account (and with it its sessions and credentials). */
  | "disable"
  /** Mail the owner naming the credential and what to do (needs SMTP). */
  | "remind"
  /** Accept the risk with a reason until a date; it comes back then. */
  | "accept";

type RiskDefinition = {
  /** The list's heading, as a count's label on the overview ("12 tokens never used"). */
  label: string;
  /** What the item's date (RiskItem.at) is, as a column heading. */
  atLabel: string;
  /** What being on the list means and what to do, one sentence. */
  description: string;
  targetKind: RiskTargetKind;
  remedies: readonly Remedy[];
  /** The permission an administrator needs to see the list. */
  readPermission: "users.read" | "tokens.read" | "clients.read";
};

export const RISKS = {
  "mfa.missing": {
    atLabel: "Created",
    label: "Users who need MFA and have none",
    description:
      "They hold a role that requires MFA, or a write permission, and have no second factor: one stolen password is enough.",
    targetKind: "user",
    remedies: ["disable", "accept"],
    readPermission: "users.read",
  },
  "accounts.dormant": {
    atLabel: "Last sign-in",
    label: "Dormant accounts",
    description: "Active accounts with no sign-in in the dormant period: disable those nobody needs.",
    targetKind: "user",
    remedies: ["disable", "accept"],
    readPermission: "users.read",
  },
  "accounts.invitation_expired": {
    atLabel: "Invitation expired",
    label: "Invitations expired unused",
    description: "Invited people who never accepted: invite them again or delete the account.",
    targetKind: "user",
    remedies: ["accept"],
    readPermission: "users.read",
  },
  "accounts.disabled_with_credentials": {
    atLabel: "Last changed",
    label: "Disabled accounts that still own credentials",
    description:
      "Their tokens and clients issue nothing while the account is disabled, but come back if it is enabled: revoke or reassign them.",
    targetKind: "user",
    remedies: ["accept"],
    readPermission: "users.read",
  },
  "tokens.never_used": {
    atLabel: "Created",
    label: "Tokens never used",
    description: "Personal tokens minted at least the idle period ago and never used: revoke them.",
    targetKind: "token",
    remedies: ["revoke", "remind", "accept"],
    readPermission: "tokens.read",
  },
  "tokens.idle": {
    atLabel: "Last used",
    label: "Tokens unused for 30 days",
    description: "Personal tokens not used in the idle period: revoke those nobody needs.",
    targetKind: "token",
    remedies: ["revoke", "set_expiry", "remind", "accept"],
    readPermission: "tokens.read",
  },
  "tokens.no_expiry": {
    atLabel: "Created",
    label: "Tokens that never expire",
    description: "A leaked token without an expiry works until someone notices: give it one.",
    targetKind: "token",
    remedies: ["set_expiry", "revoke", "remind", "accept"],
    readPermission: "tokens.read",
  },
  "tokens.expiring": {
    atLabel: "Expires",
    label: "Tokens expiring within 7 days",
    description: "Whatever uses them stops working then: the owner should rotate or replace them.",
    targetKind: "token",
    remedies: ["remind", "accept"],
    readPermission: "tokens.read",
  },
  "tokens.secret_old": {
    atLabel: "Secret created",
    label: "Token secrets older than the rotation age",
    description: "The same secret for longer than Settings allow: the owner should rotate it.",
    targetKind: "token",
    remedies: ["remind", "revoke", "accept"],
    readPermission: "tokens.read",
  },
  "tokens.over_scoped": {
    atLabel: "Last used",
    label: "Tokens holding permissions they do not use",
    description:
      "Permissions unused in the idle period: narrow the token to what it used; the same secret keeps working for those.",
    targetKind: "token",
    remedies: ["narrow", "revoke", "remind", "accept"],
    readPermission: "tokens.read",
  },
  "clients.never_used": {
    atLabel: "Created",
    label: "API clients never used",
    description: "Registered at least the idle period ago and never issued a token: disable them.",
    targetKind: "client",
    remedies: ["revoke", "remind", "accept"],
    readPermission: "clients.read",
  },
  "clients.idle": {
    atLabel: "Last used",
    label: "API clients unused for 30 days",
    description: "No token issued in the idle period: disable those nobody needs.",
    targetKind: "client",
    remedies: ["revoke", "set_expiry", "remind", "accept"],
    readPermission: "clients.read",
  },
  "clients.no_expiry": {
    atLabel: "Created",
    label: "Client secrets that never expire",
    description: "A leaked secret without an expiry works until someone notices: set one.",
    targetKind: "client",
    remedies: ["set_expiry", "remind", "accept"],
    readPermission: "clients.read",
  },
  "clients.expiring": {
    atLabel: "Expires",
    label: "Client secrets expiring within 7 days",
    description: "The client stops getting tokens then: the owner should rotate its secret.",
    targetKind: "client",
    remedies: ["remind", "accept"],
    readPermission: "clients.read",
  },
  "clients.secret_old": {
    atLabel: "Secret created",
    label: "Client secrets older than the rotation age",
    description: "The same secret for longer than Settings allow: the owner should rotate it.",
    targetKind: "client",
    remedies: ["remind", "set_expiry", "accept"],
    readPermission: "clients.read",
  },
  "clients.orphaned": {
    atLabel: "Last changed",
    label: "API clients whose owner is disabled or gone",
    description: "Nobody answers for them: reassign them or disable them.",
    targetKind: "client",
    remedies: ["revoke", "accept"],
    readPermission: "clients.read",
  },
  "clients.over_scoped": {
    atLabel: "Last used",
    label: "API clients holding permissions they do not use",
    description:
      "Permissions unused in the idle period: narrow the client to what it used; its secret keeps working for those.",
    targetKind: "client",
    remedies: ["narrow", "revoke", "remind", "accept"],
    readPermission: "clients.read",
  },
} as const satisfies Record<string, RiskDefinition>;

export type RiskKey = keyof typeof RISKS;
export const RISK_KEYS = Object.keys(RISKS) as RiskKey[];

export function isRiskKey(value: string): value is RiskKey {
  return Object.hasOwn(RISKS, value);
}

/** The lists an owner's weekly digest covers: their own credentials that are about to stop, idle or over-scoped. */
export const DIGEST_RISKS = [
  "tokens.expiring",
  "tokens.idle",
  "tokens.never_used",
  "tokens.over_scoped",
  "clients.expiring",
  "clients.idle",
  "clients.never_used",
  "clients.over_scoped",
] as const satisfies readonly RiskKey[];

/** One item on a risk list. */
export type RiskItem = {
  risk: RiskKey;
  targetKind: RiskTargetKind;
  targetId: string;
  /** The token's, client's or user's name as shown in lists. */
  name: string;
  /** The accountable person: the user themself, the token's or client's owner (null when gone). */
  owner: { id: string; name: string; email: string } | null;
  /** The date the item is about (last use, expiry, secret age, last sign-in, creation), if any. */
  at: Date | null;
  /** For over-scoped credentials: the permissions held and not used, and those used. */
  unused?: string[];
  used?: string[];
};
