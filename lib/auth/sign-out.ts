import { recordAudit } from "../audit/record-audit.ts";
import { db } from "../db/client.ts";
import type { RequestContext } from "./principal.ts";
import { revokeSession } from "./sessions.ts";

/**
 * Ends a Keyward session as its user's sign-out: the Session row revoked, with its audit event.
 * From Keyward's own Sign out, or from an app's RP-initiated logout (`via` names the app's sign-out
 * page). Returns whether this call ended it.
 */
export async function signOutSession(
  sessionId: string,
  context: RequestContext,
  via: "keyward" | "app" = "keyward",
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    const session = await tx.session.findUnique({ where: { id: sessionId }, include: { user: true } });
    if (!session || !(await revokeSession(tx, sessionId, "signed_out"))) return false;
    await recordAudit(tx, {
      action: "auth.sign_out",
      actor: { kind: "user", id: session.userId, display: session.user.email },
      target: { kind: "session", id: sessionId },
      context,
      ...(via === "app" ? { details: { via: "app_logout" } } : {}),
    });
    return true;
  });
}
