import type { AuditActor } from "../audit/actions.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { RequestContext } from "../auth/principal.ts";
import { revokeUserSessions } from "../auth/sessions.ts";
import type { Tx } from "../db/client.ts";
import { Conflict, NotFound } from "../errors/app-error.ts";

/** Serialises status changes, so two concurrent disables cannot both pass the last-admin check. */
const USER_STATUS_LOCK = 7_294_013;

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
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${USER_STATUS_LOCK})`;
  const user = await tx.user.findUnique({
    where: { id: input.userId },
    include: { roles: { include: { role: true } } },
  });
  if (!user) throw NotFound("user");
  if (user.status === input.status) return;
  if (user.status === "invited")
    throw Conflict("An invited user becomes active by accepting the invitation.");

  if (input.status === "disabled") {
    if (input.actor.kind === "user" && input.actor.id === user.id)
      throw Conflict("You cannot disable yourself.");
    const isAdmin = user.roles.some(({ role }) => role.builtInKey === "admin");
    if (isAdmin) {
      const otherAdmins = await tx.user.count({
        where: { id: { not: user.id }, status: "active", roles: { some: { role: { builtInKey: "admin" } } } },
      });
      if (otherAdmins === 0)
        throw Conflict("This is the last active Administrator: make someone else an Administrator first.");
    }
  }

  await tx.user.update({ where: { id: user.id }, data: { status: input.status } });
  const endedSessions =
    input.status === "disabled" ? await revokeUserSessions(tx, user.id, "user_disabled") : 0;
  await recordAudit(tx, {
    action: input.status === "disabled" ? "user.disabled" : "user.enabled",
    actor: input.actor,
    target: { kind: "user", id: user.id, display: user.email },
    context: input.context,
    details: { before: { status: user.status }, after: { status: input.status }, endedSessions },
  });
}
