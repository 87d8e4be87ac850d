import type { Principal } from "../auth/principal.ts";
import { dbPool, type Tx } from "../db/client.ts";
import { Forbidden, Invalid } from "../errors/app-error.ts";
import { isPermission } from "../policy/permissions.ts";
import { BUILT_IN_API_ID } from "./built-in-api.ts";

/**
 * Who holds which permission of which API (ADR 0011, issue 14). Keyward's own permissions are the
 * principal's typed set, decided by lib/policy as before; every other API's are rows, read here:
 *
 * - a user **holds** a permission of an API when one of their roles grants it, or when they hold
 *   the built-in Administrator role (every permission of every API, present and future);
 * - for **granting** (to a role, a token, a client), an API's owner also counts as holding all of
 *   its API's permissions; that is how an owner builds the roles of their own API;
 * - bearer principals hold no other API's permissions: their set is Keyward's own, and other APIs'
 *   permissions never enter a Keyward principal. Granting them needs a signed-in session.
 */

/** One permission row as the granting rule sees it. */
export type GrantablePermission = {
  id: string;
  apiId: string;
  apiName: string;
  name: string;
  deprecated: boolean;
  apiDisabled: boolean;
  apiOwnerId: string | null;
};

type PermissionRow = {
  id: string;
  api_id: string;
  api_name: string;
  name: string;
  deprecated: boolean;
  api_disabled: boolean;
  api_owner_id: string | null;
};

const ROWS_SQL = `
  SELECT p.id, p."apiId" AS api_id, a.name AS api_name, p.name, p."deprecatedAt" IS NOT NULL AS deprecated,
         a."disabledAt" IS NOT NULL AS api_disabled, a."ownerId" AS api_owner_id
  FROM "ApiPermission" p JOIN "Api" a ON a.id = p."apiId"
  WHERE p.id = ANY($1::text[])`;

/** The permission rows with these ids, in no particular order; unknown ids are simply absent. */
export async function permissionRows(ids: readonly string[]): Promise<GrantablePermission[]> {
  if (ids.length === 0) return [];
  const { rows } = await dbPool().query<PermissionRow>(ROWS_SQL, [[...new Set(ids)]]);
  return rows.map((row) => ({
    id: row.id,
    apiId: row.api_id,
    apiName: row.api_name,
    name: row.name,
    deprecated: row.deprecated,
    apiDisabled: row.api_disabled,
    apiOwnerId: row.api_owner_id,
  }));
}

/** SQL: whether user $1 holds the built-in Administrator role. */
const IS_ADMIN_SQL = `EXISTS (SELECT 1 FROM "RoleAssignment" ra JOIN "Role" r ON r.id = ra."roleId"
  WHERE ra."userId" = $1 AND r."builtInKey" = 'admin')`;

const HELD_AMONG_SQL = `
  SELECT p.id FROM "ApiPermission" p
  WHERE p.id = ANY($2::text[]) AND (${IS_ADMIN_SQL} OR EXISTS (
    SELECT 1 FROM "RoleAssignment" ra JOIN "RolePermission" rp ON rp."roleId" = ra."roleId"
    WHERE ra."userId" = $1 AND rp."permissionId" = p.id))`;

/**
 * Of these permission ids, the ones user `userId` holds (roles, or Administrator). Inside a
 * transaction pass it: the pool's other connection may not exist (embedded mode has one).
 */
export async function heldAmong(userId: string, ids: readonly string[], tx?: Tx): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const params = [userId, [...new Set(ids)]];
  const rows = tx
    ? await tx.$queryRawUnsafe<{ id: string }[]>(HELD_AMONG_SQL, ...params)
    : (await dbPool().query<{ id: string }>(HELD_AMONG_SQL, params)).rows;
  return new Set(rows.map((row) => row.id));
}

const HELD_AT_SQL = `
  SELECT p.name FROM "ApiPermission" p
  WHERE p."apiId" = $2 AND (${IS_ADMIN_SQL} OR EXISTS (
    SELECT 1 FROM "RoleAssignment" ra JOIN "RolePermission" rp ON rp."roleId" = ra."roleId"
    WHERE ra."userId" = $1 AND rp."permissionId" = p.id))
  ORDER BY p.name`;

/**
 * The names of the permissions user `userId` holds now at API `apiId` (roles, or Administrator):
 * what a credential they own may use there. Ownership of the API does not count here.
 */
export async function heldAt(userId: string, apiId: string): Promise<string[]> {
  const { rows } = await dbPool().query<{ name: string }>(HELD_AT_SQL, [userId, apiId]);
  return rows.map((row) => row.name);
}

/** "Orders API: orders.write" — how a permission is named to people. */
export const qualifiedName = (p: Pick<GrantablePermission, "apiName" | "name">) => `${p.apiName}: ${p.name}`;

/**
 * The permissions among `ids` the actor may not grant (the rule above), or that do not exist.
 * Keyward's own are decided by the principal's typed set; the rest by roles, Administrator or
 * ownership of their API.
 */
export async function ungrantable(
  actor: Principal,
  ids: readonly string[],
): Promise<{ unknown: string[]; missing: GrantablePermission[]; rows: GrantablePermission[] }> {
  const rows = await permissionRows(ids);
  const found = new Set(rows.map((row) => row.id));
  const unknown = [...new Set(ids)].filter((id) => !found.has(id));
  const others = rows.filter((row) => row.apiId !== BUILT_IN_API_ID);
  const missing: GrantablePermission[] = rows.filter(
    (row) => row.apiId === BUILT_IN_API_ID && !(isPermission(row.name) && actor.permissions.has(row.name)),
  );
  if (others.length > 0) {
    if (actor.kind !== "user") {
      missing.push(...others);
    } else {
      const held = await heldAmong(
        actor.userId,
        others.map((row) => row.id),
      );
      missing.push(...others.filter((row) => !held.has(row.id) && row.apiOwnerId !== actor.userId));
    }
  }
  return { unknown, missing, rows };
}

/**
 * Nobody grants what they do not hold: refuses a change that adds or removes (`touched`) any
 * permission the actor may not grant, or adds (`added`) one that is deprecated or does not exist.
 * Removing counts, as for Keyward's own (lib/policy/grants.ts). Returns the rows it read.
 */
export async function assertMayGrant(
  actor: Principal,
  change: { added: readonly string[]; touched: readonly string[] },
  refusal: (missing: string) => string = (missing) =>
    `You cannot grant permissions you do not hold: ${missing}.`,
): Promise<GrantablePermission[]> {
  const { unknown, missing, rows } = await ungrantable(actor, [...change.added, ...change.touched]);
  const added = new Set(change.added);
  if (unknown.some((id) => added.has(id))) {
    throw Invalid(
      "A chosen permission does not exist (it may have just been removed): reload and choose again.",
    );
  }
  if (missing.length > 0) {
    const bearer = actor.kind !== "user" && missing.some((row) => row.apiId !== BUILT_IN_API_ID);
    throw Forbidden(
      bearer
        ? "Granting permissions of APIs other than Keyward's own needs a signed-in session, not a bearer credential."
        : refusal(missing.map(qualifiedName).join(", ")),
    );
  }
  const deprecated = rows.filter((row) => row.deprecated && added.has(row.id));
  if (deprecated.length > 0) {
    throw Invalid(`Deprecated permissions take no new grants: ${deprecated.map(qualifiedName).join(", ")}.`);
  }
  return rows;
}
