import { BUILT_IN_API_ID } from "../apis/built-in-api.ts";

/**
 * SQL for an owner's current permissions at Keyward's own API, as a text[] of names: the union of
 * their roles' grants. Used inside the single-query loaders of the verification hot path (one round
 * trip per cache miss); the primary keys of RoleAssignment and RolePermission serve the joins.
 */
export const OWNER_PERMISSIONS_SQL = `COALESCE((
  SELECT array_agg(DISTINCT p.name) FROM "RoleAssignment" ra
  JOIN "RolePermission" rp ON rp."roleId" = ra."roleId"
  JOIN "ApiPermission" p ON p.id = rp."permissionId"
  WHERE ra."userId" = u.id AND p."apiId" = '${BUILT_IN_API_ID}'), '{}')`;

/** SQL: a credential's stored scopes at Keyward's own API, as a text[] of names. */
export const builtInScopesSql = (joinTable: string, keyColumn: string, ownerRef: string) => `COALESCE((
  SELECT array_agg(p.name) FROM "${joinTable}" g JOIN "ApiPermission" p ON p.id = g."permissionId"
  WHERE g."${keyColumn}" = ${ownerRef} AND p."apiId" = '${BUILT_IN_API_ID}'), '{}')`;

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
