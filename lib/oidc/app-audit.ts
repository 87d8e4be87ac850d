import type { AuditAction } from "../audit/actions.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { RequestContext } from "../auth/principal.ts";
import { db } from "../db/client.ts";

/**
 * An audit event of single sign-on (issue 15 §6), targeting the app so that its page's Activity
 * shows it: the user as actor when known (a reuse may be an attacker's: then anonymous, the
 * account in the details).
 */
export async function auditAppEvent(
  action: Extract<
    AuditAction,
    "app.sign_in" | "app.consent_given" | "app.consent_declined" | "oauth.grant_reuse_detected"
  >,
  input: {
    appId: string;
    userId?: string;
    context: RequestContext;
    details?: Record<string, unknown>;
    outcome?: "success" | "failure";
  },
): Promise<void> {
  const [app, user] = await Promise.all([
    db.application.findUnique({ where: { id: input.appId }, select: { name: true } }),
    input.userId ? db.user.findUnique({ where: { id: input.userId }, select: { email: true } }) : null,
  ]);
  const actor =
    user && input.userId && action !== "oauth.grant_reuse_detected"
      ? { kind: "user" as const, id: input.userId, display: user.email }
      : { kind: "anonymous" as const };
  await db.$transaction((tx) =>
    recordAudit(tx, {
      action,
      actor,
      target: { kind: "app", id: input.appId, ...(app ? { display: app.name } : {}) },
      context: input.context,
      ...(input.outcome ? { outcome: input.outcome } : {}),
      details: {
        ...(input.userId && actor.kind === "anonymous" ? { accountId: input.userId } : {}),
        ...input.details,
      },
    }),
  );
}
