import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { likeLiteral } from "../db/like.ts";
import { NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { GRANT_SELECT, splitGrants, type StoredGrant } from "../apis/built-in-api.ts";

type RoleRow = {
  id: string;
  name: string;
  description: string;
  builtInKey: string | null;
  grants: StoredGrant[];
  requiresMfa: boolean;
  _count: { assignments: number };
};

function toRoleView(role: RoleRow) {
  const { permissions, unresolved } = splitGrants(role.grants);
  return {
    id: role.id,
    name: role.name,
    description: role.description,
    builtIn: role.builtInKey !== null,
    builtInKey: role.builtInKey,
    permissions,
    /** Stored grants this version does not define: shown on the role's page, kept until removed. */
    unresolvedPermissions: unresolved,
    requiresMfa: role.requiresMfa,
    holders: role._count.assignments,
  };
}

/** A name search (any part, case-insensitive, on the trigram index) and a cap, for the command palette. */
export type ListRolesOptions = { q?: string; take?: number };

/** Built-in roles first, then custom roles by name, each with how many users hold it. */
export async function listRoles(actor: Principal, options: ListRolesOptions = {}) {
  authorize(actor, "roles.read");
  const roles = await db.role.findMany({
    // An empty search is no filter (as in the other lists), never `contains: ""` on every row.
    where: options.q ? { name: { contains: likeLiteral(options.q), mode: "insensitive" } } : {},
    orderBy: [{ builtInKey: { sort: "asc", nulls: "last" } }, { name: "asc" }],
    ...(options.take ? { take: options.take } : {}),
    include: { _count: { select: { assignments: true } }, grants: GRANT_SELECT },
  });
  return roles.map(toRoleView);
}

export async function getRole(actor: Principal, roleId: string) {
  authorize(actor, "roles.read");
  const role = await db.role.findUnique({
    where: { id: roleId },
    include: { _count: { select: { assignments: true } }, grants: GRANT_SELECT },
  });
  if (!role) throw NotFound("role");
  return { ...toRoleView(role), createdAt: role.createdAt, updatedAt: role.updatedAt };
}

/** The first holders of a role, for its page (needs users.read to see who they are). */
export async function roleHolders(actor: Principal, roleId: string, take = 50) {
  authorize(actor, "users.read");
  const assignments = await db.roleAssignment.findMany({
    where: { roleId },
    include: { user: { select: { id: true, email: true, name: true, status: true } } },
    orderBy: { user: { email: "asc" } },
    take,
  });
  return assignments.map(({ user }) => user);
}
