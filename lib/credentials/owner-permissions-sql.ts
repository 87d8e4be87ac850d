import { BUILT_IN_PERMISSION_PREFIX as PREFIX } from "../apis/built-in-api.ts";

/**
 * The names of Keyward's own permissions from grant rows alone: the built-in API's permission ids
 * are `perm_keyward_<name>` (ADR 0011), so the hot path reads the join table's primary key and never
 * joins ApiPermission. That join cost the cold verification about a third of its rate.
 */
const builtInName = (column: string) => `substr(${column}, ${PREFIX.length + 1})`;
const isBuiltIn = (column: string) => `left(${column}, ${PREFIX.length}) = '${PREFIX}'`;

/**
 * SQL for an owner's current permissions at Keyward's own API, as a text[] of names: the union of
 * their roles' grants. Used inside the single-query loaders of the verification hot path (one round
 * trip per cache miss); the primary keys of RoleAssignment and RolePermission serve the joins.
 */
export const OWNER_PERMISSIONS_SQL = `COALESCE((
  SELECT array_agg(DISTINCT ${builtInName('rp."permissionId"')}) FROM "RoleAssignment" ra
  JOIN "RolePermission" rp ON rp."roleId" = ra."roleId"
  WHERE ra."userId" = u.id AND ${isBuiltIn('rp."permissionId"')}), '{}')`;

/** SQL: a credential's stored scopes at Keyward's own API, as a text[] of names. */
export const builtInScopesSql = (joinTable: string, keyColumn: string, ownerRef: string) => `COALESCE((
  SELECT array_agg(${builtInName('g."permissionId"')}) FROM "${joinTable}" g
  WHERE g."${keyColumn}" = ${ownerRef} AND ${isBuiltIn('g."permissionId"')}), '{}')`;

/** SQL: whether one of the owner's (`u`) roles requires a second factor. */
export const OWNER_ROLE_REQUIRES_MFA_SQL = `EXISTS (
  SELECT 1 FROM "RoleAssignment" ra JOIN "Role" r ON r.id = ra."roleId"
  WHERE ra."userId" = u.id AND r."requiresMfa")`;

/** SQL: whether the owner (`u`) has a second factor they can sign in with (lib/mfa/factors.ts). */
export const OWNER_HAS_FACTOR_SQL = `(
  EXISTS (SELECT 1 FROM "TotpFactor" f WHERE f."userId" = u.id AND f."activatedAt" IS NOT NULL)
  OR EXISTS (SELECT 1 FROM "WebAuthnCredential" w WHERE w."userId" = u.id))`;

/**
 * A timestamp column as epoch milliseconds (a number, or null). Prisma stores DateTime as UTC
 * `timestamp(3)` without a zone; reading the number avoids any time-zone guess by the driver.
 */
export const EPOCH_MS = (column: string) => `(extract(epoch from ${column}) * 1000)::float8`;
