import { dbPool } from "../db/client.ts";

export type MfaFigures = {
  activeUsers: number;
  withFactor: number;
  /** Active holders of the built-in Administrator role, and of any write permission of Keyward's. */
  administrators: number;
  writeHolders: number;
  /** Of those, how many have a second factor. */
  administratorsWithFactor: number;
  writeHoldersWithFactor: number;
  perRole: { roleId: string; name: string; requiresMfa: boolean; activeUsers: number; withFactor: number }[];
};

/** Per active user: whether they have a second factor, and whether they are an admin or hold a write permission. */
const PER_USER = `
  SELECT u.id,
    (u.id IN (SELECT f."userId" FROM "TotpFactor" f WHERE f."activatedAt" IS NOT NULL)
      OR u.id IN (SELECT w."userId" FROM "WebAuthnCredential" w)) AS has_factor
  FROM "User" u WHERE u.status = 'active'`;

const WRITE_ROLES = `
  SELECT DISTINCT rp."roleId" FROM "RolePermission" rp JOIN "ApiPermission" ap ON ap.id = rp."permissionId"
  WHERE ap."apiId" = 'api_keyward' AND ap.name LIKE '%.write'`;

/** The MFA card: adoption overall and per role, and how many people hold the most power. */
export async function mfaFigures(): Promise<MfaFigures> {
  const pool = dbPool();
  const [totals, roles] = await Promise.all([
    pool.query<{
      active: number;
      with_factor: number;
      admins: number;
      admins_with: number;
      writers: number;
      writers_with: number;
    }>(
      `WITH pu AS (${PER_USER}),
         admins AS (SELECT DISTINCT ra."userId" AS id FROM "RoleAssignment" ra JOIN "Role" r ON r.id = ra."roleId" WHERE r."builtInKey" = 'admin'),
         writers AS (SELECT DISTINCT ra."userId" AS id FROM "RoleAssignment" ra WHERE ra."roleId" IN (${WRITE_ROLES}))
       SELECT count(*)::int AS active,
         count(*) FILTER (WHERE pu.has_factor)::int AS with_factor,
         count(*) FILTER (WHERE pu.id IN (SELECT id FROM admins))::int AS admins,
         count(*) FILTER (WHERE pu.has_factor AND pu.id IN (SELECT id FROM admins))::int AS admins_with,
         count(*) FILTER (WHERE pu.id IN (SELECT id FROM writers))::int AS writers,
         count(*) FILTER (WHERE pu.has_factor AND pu.id IN (SELECT id FROM writers))::int AS writers_with
       FROM pu`,
    ),
    pool.query<{ id: string; name: string; requires_mfa: boolean; active: number; with_factor: number }>(
      `WITH pu AS (${PER_USER})
       SELECT r.id, r.name, r."requiresMfa" AS requires_mfa, count(pu.id)::int AS active,
         count(pu.id) FILTER (WHERE pu.has_factor)::int AS with_factor
       FROM "Role" r LEFT JOIN "RoleAssignment" ra ON ra."roleId" = r.id LEFT JOIN pu ON pu.id = ra."userId"
       GROUP BY r.id ORDER BY r.name`,
    ),
  ]);
  const t = totals.rows[0];
  return {
    activeUsers: t?.active ?? 0,
    withFactor: t?.with_factor ?? 0,
    administrators: t?.admins ?? 0,
    administratorsWithFactor: t?.admins_with ?? 0,
    writeHolders: t?.writers ?? 0,
    writeHoldersWithFactor: t?.writers_with ?? 0,
    perRole: roles.rows.map((row) => ({
      roleId: row.id,
      name: row.name,
      requiresMfa: row.requires_mfa,
      activeUsers: row.active,
      withFactor: row.with_factor,
    })),
  };
}
