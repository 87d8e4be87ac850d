import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { db } from "../db/client.ts";
import type { RequestContext, UserPrincipal } from "./principal.ts";
import { revokeOtherSessions } from "./sessions.ts";
import { assertRecentAuth } from "./step-up.ts";
import { appsHearSessionsEnded } from "../oidc/sso-logout.ts";

/** Signs the user out everywhere else, keeping this browser's session. */
export async function endOtherSessions(input: {
  actor: UserPrincipal;
  context: RequestContext;
}): Promise<number> {
  await assertRecentAuth(input.actor);
  const count = await db.$transaction(async (tx) => {
    const ended = await revokeOtherSessions(
      tx,
      input.actor.userId,
      input.actor.sessionId,
      "signed_out_elsewhere",
    );
    await recordAudit(tx, {
      action: "session.revoked",
      actor: auditActor(input.actor),
      target: { kind: "user", id: input.actor.userId, display: input.actor.email },
      context: input.context,
      details: { scope: "others", ended },
    });
    return ended;
  });
  await appsHearSessionsEnded({ userId: input.actor.userId });
  return count;
}
