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

/** A personal API token: its owner's identity, permissions = token scopes ∩ the owner's current ones. */
export type TokenPrincipal = {
  kind: "token";
  tokenId: string;
  tokenName: string;
  userId: string;
  email: string;
  name: string;
  permissions: ReadonlySet<Permission>;
};

/**
 * An API client presenting one of its access tokens. Its owner stays accountable: permissions =
 * the token's scope ∩ the client's allowed scopes ∩ the owner's current permissions.
 */
export type ClientPrincipal = {
  kind: "client";
  clientId: string;
  clientName: string;
  ownerId: string;
  permissions: ReadonlySet<Permission>;
  /** The access token's id (RFC 9068 `jti`) and expiry. */
  jti: string;
  expiresAt: Date;
};

export type Principal = UserPrincipal | TokenPrincipal | ClientPrincipal;

/** The person answerable for a principal's acts: the user, the token's owner or the client's owner. */
export function accountableUserId(principal: Principal): string {
  return principal.kind === "client" ? principal.ownerId : principal.userId;
}

/** Where a request came from: written to audit events and used by limits. */
export type RequestContext = { ip: string; userAgent: string; requestId: string };

export const SYSTEM_CONTEXT: RequestContext = { ip: "", userAgent: "", requestId: "" };
