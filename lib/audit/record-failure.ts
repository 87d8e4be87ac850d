import { RateLimiterMemory } from "rate-limiter-flexible";

import { db } from "../db/client.ts";
import { recordAudit, type AuditEventInput } from "./record-audit.ts";

// Failures and denials change nothing, so they get their own short transaction. They are throttled
// per action and source so that an attacker cannot flood the table (or the chain lock) with them.
const store = globalThis as typeof globalThis & { __keywardAuditThrottle?: RateLimiterMemory };
const throttle = () => (store.__keywardAuditThrottle ??= new RateLimiterMemory({ points: 30, duration: 60 }));

/** Returns false when the event was dropped by the throttle. */
export async function recordAuditFailure(input: AuditEventInput): Promise<boolean> {
  const key = `${input.action}:${input.context.ip || "-"}`;
  try {
    await throttle().consume(key);
  } catch {
    return false;
  }
  await db.$transaction((tx) => recordAudit(tx, { outcome: "failure", ...input }));
  return true;
}
