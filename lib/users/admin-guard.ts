import { GRANT_SELECT, splitGrants } from "../apis/built-in-api.ts";
import type { Principal } from "../auth/principal.ts";
import type { Tx } from "../db/client.ts";
import { Conflict, Forbidden } from "../errors/app-error.ts";
import { missingPermissions } from "../policy/authorize.ts";

/** Serialises every change that could remove an active Administrator (disable, delete, demote). */
const ADMIN_GUARD_LOCK = 7_294_013;

export async function lockAdminGuard(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${ADMIN_GUARD_LOCK})`;
}

/** Throws when `userId` is the only active Administrator. Call after lockAdminGuard. */
export async function assertNotLastAdmin(tx: Tx, userId: string): Promise<void> {
  const target = await tx.user.findFirst({
    where: { id: userId, status: "active", roles: { some: { role: { builtInKey: "admin" } } } },
    select: { id: true },
  });
  if (!target) return;
  const others = await tx.user.count({
    where: { id: { not: userId }, status: "active", roles: { some: { role: { builtInKey: "admin" } } } },
  });
  if (others === 0) {
    throw Conflict("This is the last active Administrator: make someone else an Administrator first.");
  }
}

/**
 * Managing a user (editing, disabling, deleting) needs every permission they hold: otherwise a User
 * manager could change an Administrator's email and take the account over, or lock them out.
 */
export async function assertCanManageUser(tx: Tx, actor: Principal, userId: string): Promise<void> {
  const assignments = await tx.roleAssignment.findMany({
    where: { userId },
    select: { role: { select: { grants: GRANT_SELECT } } },
  });
  const missing = missingPermissions(
    actor,
    splitGrants(assignments.flatMap(({ role }) => role.grants)).permissions,
  );
  if (missing.length > 0) {
    throw Forbidden(
      `This user holds permissions you do not (${[...new Set(missing)].join(", ")}), so you cannot manage them.`,
    );
  }
}
