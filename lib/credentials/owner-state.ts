import { dbPool } from "../db/client.ts";
import { toPermissions, type Permission } from "../policy/permissions.ts";
import { cachedCredential } from "./credential-cache.ts";
import {
  OWNER_HAS_FACTOR_SQL,
  OWNER_PERMISSIONS_SQL,
  OWNER_ROLE_REQUIRES_MFA_SQL,
} from "./owner-permissions-sql.ts";

/** The user a token or client answers to, as verification needs them: cached like credentials. */
export type OwnerState = {
  id: string;
  email: string;
  name: string;
  active: boolean;
  permissions: Permission[];
  /** One of their roles requires a second factor (the global setting is read apart: lib/settings). */
  roleRequiresMfa: boolean;
  /** Whether they had a second factor when this was read: see owner-standing.ts for why a "no" is re-checked. */
  hasFactor: boolean;
};

const OWNER_SQL = `
  SELECT u.id, u.email, u.name, u.status::text AS status, ${OWNER_PERMISSIONS_SQL} AS permissions,
         ${OWNER_ROLE_REQUIRES_MFA_SQL} AS role_requires_mfa, ${OWNER_HAS_FACTOR_SQL} AS has_factor
  FROM "User" u WHERE u.id = $1`;

type OwnerRow = {
  id: string;
  email: string;
  name: string;
  status: string;
  permissions: string[];
  role_requires_mfa: boolean;
  has_factor: boolean;
};

/**
 * Many tokens and clients share an owner: their permissions are read once and shared, and
 * forgotten on any change to the user (status, roles, factors: tag `user:<id>`) or to a role (`*`).
 */
export async function ownerState(userId: string): Promise<OwnerState | null> {
  return cachedCredential(`owner:${userId}`, async () => {
    const { rows } = await dbPool().query<OwnerRow>(OWNER_SQL, [userId]);
    const row = rows[0];
    if (!row) return null;
    return {
      value: {
        id: row.id,
        email: row.email,
        name: row.name,
        active: row.status === "active",
        permissions: toPermissions(row.permissions),
        roleRequiresMfa: row.role_requires_mfa,
        hasFactor: row.has_factor,
      },
      tags: [`user:${row.id}`],
    };
  });
}
