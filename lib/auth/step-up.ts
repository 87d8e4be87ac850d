import { db } from "../db/client.ts";
import { SessionRequired, StepUpRequired } from "../errors/app-error.ts";
import { hasSecondFactor } from "../mfa/factors.ts";
import { getSettings } from "../settings/settings.ts";
import type { Principal, UserPrincipal } from "./principal.ts";

/**
 * Sensitive actions (role and permission changes, disabling users, removing factors, new recovery
 * codes, minting credentials) need a recent authentication: within the step-up window, and with a
 * second factor when the user has one.
 *
 * Bearer credentials pass here: they cannot answer a prompt, and their scope is their authorization
 * for changes that create nothing secret. What creates a credential, a secret or a one-time link
 * uses `assertFreshSession` instead, which refuses them (ADR 0010).
 */
export async function assertRecentAuth(principal: Principal, now = new Date()): Promise<void> {
  if (principal.kind !== "user") return;
  await assertRecentUserAuth(principal, now);
}

/**
 * For what only a person at a browser may do (create or rotate a secret, mint a credential, issue
 * an invitation or a reset link, add a factor): a bearer credential is refused with
 * `session_required`, and the session must have signed in within the step-up window. Returns the
 * session principal, narrowed.
 */
export async function assertFreshSession(principal: Principal, now = new Date()): Promise<UserPrincipal> {
  if (principal.kind !== "user") throw SessionRequired();
  await assertRecentUserAuth(principal, now);
  return principal;
}

async function assertRecentUserAuth(principal: UserPrincipal, now: Date): Promise<void> {
  const windowMs = (await getSettings(db)).stepUpMinutes * 60_000;
  if (now.getTime() - principal.authTime.getTime() > windowMs) throw StepUpRequired();
  if (await hasSecondFactor(db, principal.userId)) {
    if (!principal.mfaTime || now.getTime() - principal.mfaTime.getTime() > windowMs) throw StepUpRequired();
  }
}
