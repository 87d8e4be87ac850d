import type { Principal } from "../auth/principal.ts";
import { db, dbPool } from "../db/client.ts";
import { NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { BUILT_IN_API_ID, builtInPermissionId } from "../apis/built-in-api.ts";
import { isPermission } from "../policy/permissions.ts";

/**
 * Roles × permissions at a glance, one API at a time (Keyward's own by default) and a page of
 * roles at a time, so 100 APIs × 50 permissions × 1,000 roles is three indexed queries of one
 * page. The built-in Administrator holds every permission of every API without rows: `all`.
 */
export type MatrixOptions = { apiId?: string; cursor?: string; limit?: number };

type RoleRow = { id: string; name: string; built_in_key: string | null };

// Built-in roles first, then by name; the cursor is the last role's id, compared on the same key.
const ROLES_SQL = `
  SELECT r.id, r.name, r."builtInKey" AS built_in_key FROM "Role" r
  WHERE $1::text IS NULL OR (r."builtInKey" IS NULL, r.name, r.id) > (
    SELECT c."builtInKey" IS NULL, c.name, c.id FROM "Role" c WHERE c.id = $1)
  ORDER BY r."builtInKey" IS NULL, r.name, r.id
  LIMIT $2`;

const GRANTS_SQL = `
  SELECT rp."roleId" AS role_id, rp."permissionId" AS permission_id
  FROM "RolePermission" rp JOIN "ApiPermission" p ON p.id = rp."permissionId"
  WHERE rp."roleId" = ANY($1::text[]) AND p."apiId" = $2`;

export async function permissionMatrix(actor: Principal, options: MatrixOptions = {}) {
  authorize(actor, "roles.read");
  const apiId = options.apiId || BUILT_IN_API_ID;
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 50), 1), 200);
  const [api, apis, { rows }] = await Promise.all([
    db.api.findUnique({
      where: { id: apiId },
      select: {
        id: true,
        name: true,
        identifier: true,
        builtInKey: true,
        disabledAt: true,
        permissions: {
          select: { id: true, name: true, description: true, deprecatedAt: true },
          orderBy: { name: "asc" },
        },
      },
    }),
    db.api.findMany({
      select: { id: true, name: true },
      orderBy: [{ builtInKey: { sort: "asc", nulls: "last" } }, { name: "asc" }],
      take: 1000,
    }),
    dbPool().query<RoleRow>(ROLES_SQL, [options.cursor || null, limit + 1]),
  ]);
  if (!api) throw NotFound("API");
  const page = rows.slice(0, limit);
  const { rows: grants } = await dbPool().query<{ role_id: string; permission_id: string }>(GRANTS_SQL, [
    page.map((role) => role.id),
    api.id,
  ]);
  const byRole = new Map<string, Set<string>>();
  for (const grant of grants) {
    const set = byRole.get(grant.role_id) ?? new Set<string>();
    set.add(grant.permission_id);
    byRole.set(grant.role_id, set);
  }
  return {
    api: {
      id: api.id,
      name: api.name,
      identifier: api.identifier,
      builtIn: api.builtInKey !== null,
      disabled: api.disabledAt !== null,
    },
    /** Every API, for the selector. */
    apis,
    permissions: api.permissions.map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      deprecated: p.deprecatedAt !== null,
    })),
    roles: page.map((role) => ({
      id: role.id,
      name: role.name,
      builtIn: role.built_in_key !== null,
      /** Administrator at another API: every permission, present and future, with no rows. */
      all: role.built_in_key === "admin" && api.builtInKey === null,
      granted: byRole.get(role.id) ?? new Set<string>(),
    })),
    nextCursor: rows.length > limit ? (page.at(-1)?.id ?? null) : null,
  };
}

/**
 * Who holds a permission (a Keyward permission's name, or any API's permission id), and through
 * which roles; Administrators hold every other API's permission as well. Needs users.read too.
 */
export async function holdersOfPermission(actor: Principal, permission: string, take = 100) {
  authorize(actor, "roles.read");
  authorize(actor, "users.read");
  const permissionId = isPermission(permission) ? builtInPermissionId(permission) : permission;
  const row = await db.apiPermission.findUnique({ where: { id: permissionId }, select: { apiId: true } });
  if (!row) return [];
  const viaAdmin = row.apiId !== BUILT_IN_API_ID;
  const holds = {
    role: {
      OR: [{ grants: { some: { permissionId } } }, ...(viaAdmin ? [{ builtInKey: "admin" }] : [])],
    },
  };
  const users = await db.user.findMany({
    where: { roles: { some: holds } },
    select: {
      id: true,
      email: true,
      name: true,
      status: true,
      roles: {
        where: holds,
        select: { role: { select: { name: true, builtInKey: true } } },
      },
    },
    orderBy: { email: "asc" },
    take,
  });
  return users.map(({ roles, ...user }) => ({
    ...user,
    via: roles.map(({ role }) =>
      viaAdmin && role.builtInKey === "admin" ? `${role.name} (every permission of every API)` : role.name,
    ),
  }));
}
