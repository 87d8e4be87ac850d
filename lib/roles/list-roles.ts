import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { likeLiteral } from "../db/like.ts";
import { NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { BUILT_IN_API_ID, splitGrants } from "../apis/built-in-api.ts";

/** Stored grants with what the role's view shows of other APIs' permissions (and splitGrants needs). */
const ROLE_GRANTS = {
  select: {
    permission: {
      select: {
        id: true,
        apiId: true,
        name: true,
        deprecatedAt: true,
        api: { select: { id: true, name: true, identifier: true } },
      },
    },
  },
} as const;

type RoleGrant = {
  permission: {
    id: string;
    apiId: string;
    name: string;
    deprecatedAt: Date | null;
    api: { id: string; name: string; identifier: string };
  };
};

/** A role's grants of other APIs' permissions, by API then name; deprecated ones flagged. */
function apiPermissionsOf(grants: readonly RoleGrant[]) {
  return grants
    .filter(({ permission }) => permission.apiId !== BUILT_IN_API_ID)
    .map(({ permission }) => ({
      id: permission.id,
      api: permission.api,
      name: permission.name,
      deprecated: permission.deprecatedAt !== null,
    }))
    .sort((a, b) => a.api.name.localeCompare(b.api.name) || a.name.localeCompare(b.name));
}

type RoleRow = {
  id: string;
  name: string;
  description: string;
  builtInKey: string | null;
  grants: RoleGrant[];
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
    /** Permissions of other APIs this role grants. */
    apiPermissions: apiPermissionsOf(role.grants),
    /** The built-in Administrator holds every permission of every API, present and future, with no rows. */
    allApiPermissions: role.builtInKey === "admin",
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
    include: { _count: { select: { assignments: true } }, grants: ROLE_GRANTS },
  });
  return roles.map(toRoleView);
}

export async function getRole(actor: Principal, roleId: string) {
  authorize(actor, "roles.read");
  const role = await db.role.findUnique({
    where: { id: roleId },
    include: { _count: { select: { assignments: true } }, grants: ROLE_GRANTS },
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
