import type { Permission } from "../policy/permissions.ts";

/**
 * Who is making a request, resolved once per request by lib/auth. A session that has passed the
 * password but not a required second factor is never a principal.
 */
export type UserPrincipal = {
  kind: "user";
  userId: string;
  email: string;
  name: string;
  sessionId: string;
  permissions: ReadonlySet<Permission>;
  /** Last time the user proved who they are: sign-in or re-authentication (for step-up). */
  authTime: Date;
  mfaTime: Date | null;
  amr: readonly string[];
  /**
   * A role (or the global setting) requires MFA and the user has no second factor yet: until they
   * enroll one, this principal may only reach the enrollment pages (enforced by the wrappers).
   */
  mustEnrollMfa: boolean;
};

export type Principal = UserPrincipal;

/** Where a request came from: written to audit events and used by limits. */
export type RequestContext = { ip: string; userAgent: string; requestId: string };

export const SYSTEM_CONTEXT: RequestContext = { ip: "", userAgent: "", requestId: "" };
