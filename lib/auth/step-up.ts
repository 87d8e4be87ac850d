import { db } from "../db/client.ts";
import { StepUpRequired } from "../errors/app-error.ts";
import { hasSecondFactor } from "../mfa/factors.ts";
import { getSettings } from "../settings/settings.ts";
import type { Principal } from "./principal.ts";

/**
 * Sensitive actions (role and permission changes, disabling users, removing factors, new recovery
 * codes, minting credentials) need a recent authentication: within the step-up window, and with a
 * second factor when the user has one.
 */
export async function assertRecentAuth(principal: Principal, now = new Date()): Promise<void> {
  // API credentials cannot answer a prompt. They were minted under step-up, carry only the scopes
  // chosen then, and expire; their scope is the authorization (ADR 0007).
  if (principal.kind !== "user") return;
  const windowMs = (await getSettings(db)).stepUpMinutes * 60_000;
  if (now.getTime() - principal.authTime.getTime() > windowMs) throw StepUpRequired();
  if (await hasSecondFactor(db, principal.userId)) {
    if (!principal.mfaTime || now.getTime() - principal.mfaTime.getTime() > windowMs) throw StepUpRequired();
  }
}
