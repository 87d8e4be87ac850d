import type { Principal } from "../auth/principal.ts";
import { dbPool } from "../db/client.ts";
import { likeLiteral } from "../db/like.ts";
import { Forbidden } from "../errors/app-error.ts";
import type { Permission } from "../policy/permissions.ts";
import { BUILT_IN_API_ID } from "./built-in-api.ts";
import { ungrantable } from "./holdings.ts";
import { isPermission } from "../policy/permissions.ts";

/**
 * What a person may choose from when they give permissions to a role, a token or a client: every
 * API's permissions, grouped by API, each marked grantable or not by the one rule of
 * lib/apis/holdings.ts. Paged by API (a role editor facing 100 APIs × 50 permissions loads a page
 * of APIs at a time) and searchable by API name or permission name.
 */

export type CatalogApi = {
  id: string;
  name: string;
  identifier: string;
  builtIn: boolean;
  disabled: boolean;
  allowPersonalTokens: boolean;
};

export type CatalogPermission = {
  id: string;
  name: string;
  description: string;
  deprecated: boolean;
  /** Whether the actor may grant it (or take it away): holdings.ts's rule. Deprecated is separate. */
  grantable: boolean;
  /** Why it is not grantable, in plain words; null when it is. */
  reason: string | null;
};

export type CatalogGroup = { api: CatalogApi; permissions: CatalogPermission[] };

export type CatalogPage = { groups: CatalogGroup[]; nextCursor: string | null };

export type PermissionCatalogOptions = {
  actor: Principal;
  /** Any part of an API's name (then all its permissions) or of a permission's name. */
  query?: string;
  /** Only this API. */
  apiId?: string;
  /** The last API id of the previous page. */
  cursor?: string;
  /** APIs per page (1–100, default 20). */
  limit?: number;
  /** Include Keyward's own API (default false: its permissions have their own typed editor). */
  includeBuiltIn?: boolean;
  /** Include disabled APIs (default true: a role may keep or prepare grants of one). */
  includeDisabled?: boolean;
  /** Only APIs whose permissions personal tokens may carry (token minting). */
  personalTokensOnly?: boolean;
  /**
   * Whether owning an API counts as holding its permissions (default true: granting to roles and
   * allowing clients). A personal token carries only what its owner holds now, so minting says no.
   */
  ownershipCounts?: boolean;
};

/** Who may read the catalog: anyone who gives permissions to something, or reads the registry. */
export const CATALOG_READERS: readonly Permission[] = [
  "roles.read",
  "roles.write",
  "tokens.create",
  "clients.write",
  "apis.read",
  "apps.write",
];

type ApiRow = {
  id: string;
  name: string;
  identifier: string;
  built_in: boolean;
  disabled: boolean;
  allow_personal_tokens: boolean;
  owner_id: string | null;
  name_match: boolean;
};

type PermRow = {
  id: string;
  api_id: string;
  name: string;
  description: string;
  deprecated: boolean;
  /** The actor holds it through one of their roles. */
  held: boolean;
};

// Built-in API first, then by name; the cursor is the last API's id, compared on the same key.
const APIS_SQL = `
  SELECT a.id, a.name, a.identifier, a."builtInKey" IS NOT NULL AS built_in,
         a."disabledAt" IS NOT NULL AS disabled, a."allowPersonalTokens" AS allow_personal_tokens,
         a."ownerId" AS owner_id, ($1::text IS NOT NULL AND a.name ILIKE $1) AS name_match
  FROM "Api" a
  WHERE ($2::text IS NULL OR a.id = $2)
    AND ($3::boolean OR a.id <> '${BUILT_IN_API_ID}')
    AND ($4::boolean OR a."disabledAt" IS NULL)
    AND (NOT $5::boolean OR a."allowPersonalTokens")
    AND ($1::text IS NULL OR a.name ILIKE $1 OR EXISTS (
      SELECT 1 FROM "ApiPermission" p WHERE p."apiId" = a.id AND p.name ILIKE $1))
    AND ($6::text IS NULL OR (a.id <> '${BUILT_IN_API_ID}', a.name, a.id) > (
      SELECT c.id <> '${BUILT_IN_API_ID}', c.name, c.id FROM "Api" c WHERE c.id = $6))
  ORDER BY a.id <> '${BUILT_IN_API_ID}', a.name, a.id
  LIMIT $7`;

// The page's permissions, each with whether one of user $4's roles grants it (holdings.ts's
// heldAmong, for a whole page in one query).
const PERMISSIONS_SQL = `
  SELECT p.id, p."apiId" AS api_id, p.name, p.description, p."deprecatedAt" IS NOT NULL AS deprecated,
         ($4::text IS NOT NULL AND p.id IN (
           SELECT rp."permissionId" FROM "RoleAssignment" ra JOIN "RolePermission" rp ON rp."roleId" = ra."roleId"
           WHERE ra."userId" = $4)) AS held
  FROM "ApiPermission" p
  WHERE p."apiId" = ANY($1::text[])
    AND ($3::text IS NULL OR p."apiId" = ANY($2::text[]) OR p.name ILIKE $3)
  ORDER BY p.name`;

const IS_ADMIN_SQL = `SELECT EXISTS (SELECT 1 FROM "RoleAssignment" ra JOIN "Role" r ON r.id = ra."roleId"
  WHERE ra."userId" = $1 AND r."builtInKey" = 'admin') AS admin`;

const NOT_HELD = "You do not hold it, so you cannot grant or remove it.";
const BEARER = "Granting another API's permissions needs a signed-in session.";
const OWNED_NOT_HELD =
  "You own this API, but no role of yours grants this permission: a token carries only what you hold.";

/**
 * The granting rule of lib/apis/holdings.ts (`ungrantable`), evaluated for a whole page at once:
 * Keyward's own by the principal's typed set; another API's only for a signed-in user who holds
 * it through a role, holds Administrator, or owns its API. The integration test checks every
 * answer against `ungrantable` itself.
 */
function mark(
  actor: Principal,
  admin: boolean,
  api: { built_in: boolean; owner_id: string | null },
  p: { name: string; held: boolean },
  ownershipCounts: boolean,
): { grantable: boolean; reason: string | null } {
  if (api.built_in) {
    const grantable = isPermission(p.name) && actor.permissions.has(p.name);
    return { grantable, reason: grantable ? null : NOT_HELD };
  }
  if (actor.kind !== "user") return { grantable: false, reason: BEARER };
  if (admin || p.held) return { grantable: true, reason: null };
  if (api.owner_id !== actor.userId) return { grantable: false, reason: NOT_HELD };
  return ownershipCounts ? { grantable: true, reason: null } : { grantable: false, reason: OWNED_NOT_HELD };
}

/** A page of the catalog, grouped by API, with what the actor may grant marked. */
export async function permissionCatalog(options: PermissionCatalogOptions): Promise<CatalogPage> {
  const { actor } = options;
  if (!CATALOG_READERS.some((permission) => actor.permissions.has(permission))) throw Forbidden();
  const limit = Math.min(Math.max(Math.trunc(options.limit ?? 20), 1), 100);
  const query = options.query?.trim() ? `%${likeLiteral(options.query.trim())}%` : null;
  const userId = actor.kind === "user" ? actor.userId : null;
  const pool = dbPool();
  const [{ rows: apis }, admin] = await Promise.all([
    pool.query<ApiRow>(APIS_SQL, [
      query,
      options.apiId ?? null,
      options.includeBuiltIn ?? false,
      options.includeDisabled ?? true,
      options.personalTokensOnly ?? false,
      options.cursor ?? null,
      limit + 1,
    ]),
    userId ? isAdministrator(userId) : Promise.resolve(false),
  ]);
  const page = apis.slice(0, limit);
  const nextCursor = apis.length > limit ? (page.at(-1)?.id ?? null) : null;
  if (page.length === 0) return { groups: [], nextCursor: null };

  const { rows: permissions } = await pool.query<PermRow>(PERMISSIONS_SQL, [
    page.map((api) => api.id),
    page.filter((api) => api.name_match).map((api) => api.id),
    query,
    userId,
  ]);
  const byApi = new Map<string, CatalogPermission[]>(page.map((api) => [api.id, []]));
  const apiById = new Map(page.map((api) => [api.id, api]));
  for (const p of permissions) {
    const api = apiById.get(p.api_id);
    if (!api) continue;
    byApi.get(p.api_id)?.push({
      id: p.id,
      name: p.name,
      description: p.description,
      deprecated: p.deprecated,
      ...mark(actor, admin, api, p, options.ownershipCounts ?? true),
    });
  }
  return {
    groups: page.map((api) => ({
      api: {
        id: api.id,
        name: api.name,
        identifier: api.identifier,
        builtIn: api.built_in,
        disabled: api.disabled,
        allowPersonalTokens: api.allow_personal_tokens,
      },
      permissions: byApi.get(api.id) ?? [],
    })),
    nextCursor,
  };
}

async function isAdministrator(userId: string): Promise<boolean> {
  const { rows } = await dbPool().query<{ admin: boolean }>(IS_ADMIN_SQL, [userId]);
  return rows[0]?.admin === true;
}

/**
 * Chosen permissions as the picker shows them when they may not be on a loaded page (a role's
 * grants at its 80th API): the same shape, read by id.
 */
export async function catalogEntries(actor: Principal, ids: readonly string[]): Promise<CatalogGroup[]> {
  if (ids.length === 0) return [];
  const { rows } = await dbPool().query<
    Omit<PermRow, "held"> &
      Omit<ApiRow, "id" | "name_match" | "name" | "owner_id"> & {
        api_name: string;
      }
  >(
    `SELECT p.id, p."apiId" AS api_id, p.name, p.description, p."deprecatedAt" IS NOT NULL AS deprecated,
            a.name AS api_name, a.identifier, a."builtInKey" IS NOT NULL AS built_in,
            a."disabledAt" IS NOT NULL AS disabled, a."allowPersonalTokens" AS allow_personal_tokens
     FROM "ApiPermission" p JOIN "Api" a ON a.id = p."apiId"
     WHERE p.id = ANY($1::text[])
     ORDER BY a.id <> '${BUILT_IN_API_ID}', a.name, p.name`,
    [[...new Set(ids)]],
  );
  const { missing } = await ungrantable(
    actor,
    rows.map((row) => row.id),
  );
  const refused = new Set(missing.map((row) => row.id));
  const groups = new Map<string, CatalogGroup>();
  for (const row of rows) {
    let group = groups.get(row.api_id);
    if (!group) {
      group = {
        api: {
          id: row.api_id,
          name: row.api_name,
          identifier: row.identifier,
          builtIn: row.built_in,
          disabled: row.disabled,
          allowPersonalTokens: row.allow_personal_tokens,
        },
        permissions: [],
      };
      groups.set(row.api_id, group);
    }
    const grantable = !refused.has(row.id);
    group.permissions.push({
      id: row.id,
      name: row.name,
      description: row.description,
      deprecated: row.deprecated,
      grantable,
      reason: grantable ? null : actor.kind !== "user" && row.api_id !== BUILT_IN_API_ID ? BEARER : NOT_HELD,
    });
  }
  return [...groups.values()];
}
