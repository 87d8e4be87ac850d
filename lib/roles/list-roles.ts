import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { likeLiteral } from "../db/like.ts";
import { Invalid, NotFound } from "../errors/app-error.ts";
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

/**
 * A page of roles: built-in ones first (there are few), then custom ones, each by name then id,
 * with how many users hold each. `q` searches names (any part, case-insensitive, on the trigram
 * index); `after` is the last role id of the previous page. Paged because a role carries its
 * grants: a thousand roles of fifty API permissions each is no single answer.
 */
export type ListRolesOptions = { q?: string; after?: string; limit?: number };

export type RolesPage = { items: ReturnType<typeof toRoleView>[]; nextCursor: string | null };

export async function listRoles(actor: Principal, options: ListRolesOptions = {}): Promise<RolesPage> {
  authorize(actor, "roles.read");
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 100);
  const search = options.q
    ? { name: { contains: likeLiteral(options.q), mode: "insensitive" as const } }
    : {};
  const cursor = options.after
    ? await db.role.findUnique({
        where: { id: options.after },
        select: { builtInKey: true, name: true, id: true },
      })
    : null;
  if (options.after && !cursor)
    throw Invalid("The page cursor names no role: start again from the first page.");
  const after = cursor
    ? { OR: [{ name: { gt: cursor.name } }, { name: cursor.name, id: { gt: cursor.id } }] }
    : {};
  // Holders are counted below, for the page's roles only: Prisma's `_count` here joined a count per
  // role that read all of RoleAssignment for each one (35 ms a page at 100,000 users).
  const include = { grants: ROLE_GRANTS } as const;
  const orderBy = [{ name: "asc" as const }, { id: "asc" as const }];
  // Built-in roles come first; once the cursor is past them only custom ones remain.
  const builtIn =
    cursor && cursor.builtInKey === null
      ? []
      : await db.role.findMany({
          where: { builtInKey: { not: null }, ...search, ...after },
          orderBy,
          take: limit + 1,
          include,
        });
  const custom =
    builtIn.length > limit
      ? []
      : await db.role.findMany({
          where: { builtInKey: null, ...search, ...(cursor?.builtInKey === null ? after : {}) },
          orderBy,
          take: limit + 1 - builtIn.length,
          include,
        });
  const rows = [...builtIn, ...custom];
  const page = rows.slice(0, limit);
  const holders = await holderCounts(page.map((role) => role.id));
  return {
    items: page.map((role) => toRoleView({ ...role, _count: { assignments: holders.get(role.id) ?? 0 } })),
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/** How many users hold each of these roles: one grouped count on the roleId index. */
async function holderCounts(roleIds: string[]): Promise<Map<string, number>> {
  if (roleIds.length === 0) return new Map();
  const groups = await db.roleAssignment.groupBy({
    by: ["roleId"],
    where: { roleId: { in: roleIds } },
    _count: { _all: true },
  });
  return new Map(groups.map((group) => [group.roleId, group._count._all]));
}

/** Every role's id and name, for a filter's choices: no grants loaded. */
export async function roleOptions(actor: Principal): Promise<{ id: string; name: string }[]> {
  authorize(actor, "roles.read");
  return db.role.findMany({
    select: { id: true, name: true },
    orderBy: [{ builtInKey: { sort: "asc", nulls: "last" } }, { name: "asc" }],
  });
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
