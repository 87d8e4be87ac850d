import { z } from "zod";

import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { RequestContext, UserPrincipal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { Forbidden } from "../errors/app-error.ts";
import { mayReceiveFailureAlerts } from "../notifications/alert-permissions.ts";

/** My account → Notifications: checkboxes, so both are always sent (a cleared box is false). */
export const notificationPreferencesSchema = z.object({
  /** The weekly email about one's own expiring, idle or over-scoped credentials. */
  credentialDigest: z.boolean(),
  /** The alert when sign-in failures spike (only for those who may receive it). */
  failureAlerts: z.boolean(),
});
export type NotificationPreferencesInput = z.output<typeof notificationPreferencesSchema>;

export type NotificationPreferences = NotificationPreferencesInput & {
  /** Whether this user may turn the failure alert on (audit.read or settings.write). */
  mayReceiveFailureAlerts: boolean;
};

export async function getNotificationPreferences(actor: UserPrincipal): Promise<NotificationPreferences> {
  const user = await db.user.findUniqueOrThrow({
    where: { id: actor.userId },
    select: { credentialDigest: true, failureAlerts: true },
  });
  return { ...user, mayReceiveFailureAlerts: mayReceiveFailureAlerts(actor) };
}

/**
 * One's own notification choices. No step-up: they change no credential and nothing one may do,
 * only what Keyward mails to the account's own address. Turning the failure alert on needs a
 * permission that may see what it says (it names targeted accounts and source addresses); turning
 * it off never does. Audited when something changed, in the same transaction.
 */
export async function updateNotificationPreferences(
  input: NotificationPreferencesInput & { actor: UserPrincipal; context: RequestContext },
): Promise<NotificationPreferences> {
  const { actor, context } = input;
  const wanted = notificationPreferencesSchema.parse({
    credentialDigest: input.credentialDigest,
    failureAlerts: input.failureAlerts,
  });
  const allowed = mayReceiveFailureAlerts(actor);
  if (wanted.failureAlerts && !allowed) {
    throw Forbidden("Failure alerts are for those who may read the audit log or change Settings.");
  }
  const after = await db.$transaction(async (tx) => {
    const before = await tx.user.findUniqueOrThrow({
      where: { id: actor.userId },
      select: { credentialDigest: true, failureAlerts: true },
    });
    if (
      before.credentialDigest === wanted.credentialDigest &&
      before.failureAlerts === wanted.failureAlerts
    ) {
      return before;
    }
    const updated = await tx.user.update({
      where: { id: actor.userId },
      data: wanted,
      select: { credentialDigest: true, failureAlerts: true },
    });
    await recordAudit(tx, {
      action: "account.notifications_updated",
      actor: auditActor(actor),
      target: { kind: "user", id: actor.userId, display: actor.email },
      context,
      details: { before, after: updated },
    });
    return updated;
  });
  return { ...after, mayReceiveFailureAlerts: allowed };
}
