import type { AuditActor } from "../audit/actions.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import type { RequestContext } from "../auth/principal.ts";
import { revokeUserSessions } from "../auth/sessions.ts";
import type { Tx } from "../db/client.ts";
import { Conflict, NotFound } from "../errors/app-error.ts";
import { assertNotLastAdmin, lockAdminGuard } from "./admin-guard.ts";

export type SetUserStatusInput = {
  userId: string;
  status: "active" | "disabled";
  actor: AuditActor;
  context: RequestContext;
};

/**
 * Disables or re-enables a user. Disabling ends every session at once; the last active
 * Administrator cannot be disabled, and nobody can disable themselves.
 */
export async function setUserStatus(tx: Tx, input: SetUserStatusInput): Promise<void> {
  await lockAdminGuard(tx);
  const user = await tx.user.findUnique({ where: { id: input.userId } });
  if (!user) throw NotFound("user");
  if (user.status === input.status) return;
  if (user.status === "invited")
    throw Conflict("An invited user becomes active by accepting the invitation.");

  if (input.status === "disabled") {
    if (input.actor.kind === "user" && input.actor.id === user.id)
      throw Conflict("You cannot disable yourself.");
    await assertNotLastAdmin(tx, user.id);
  }

  await tx.user.update({ where: { id: user.id }, data: { status: input.status } });
  const endedSessions =
    input.status === "disabled" ? await revokeUserSessions(tx, user.id, "user_disabled") : 0;
  // The user's tokens and clients stop (or start again) on the next request.
  await credentialsChanged(tx, [`user:${user.id}`]);
  await recordAudit(tx, {
    action: input.status === "disabled" ? "user.disabled" : "user.enabled",
    actor: input.actor,
    target: { kind: "user", id: user.id, display: user.email },
    context: input.context,
    details: { before: { status: user.status }, after: { status: input.status }, endedSessions },
  });
}
