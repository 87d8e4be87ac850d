import { dbPool } from "../db/client.ts";
import { toPermissions, type Permission } from "../policy/permissions.ts";
import { cachedCredential } from "./credential-cache.ts";
import { OWNER_PERMISSIONS_SQL } from "./owner-permissions-sql.ts";

/** The user a token or client answers to, as verification needs them: cached like credentials. */
export type OwnerState = {
  id: string;
  email: string;
  name: string;
  active: boolean;
  permissions: Permission[];
};

const OWNER_SQL = `
  SELECT u.id, u.email, u.name, u.status::text AS status, ${OWNER_PERMISSIONS_SQL} AS permissions
  FROM "User" u WHERE u.id = $1`;

type OwnerRow = { id: string; email: string; name: string; status: string; permissions: string[] };

/**
 * Many tokens and clients share an owner: their permissions are read once and shared, and
 * forgotten on any change to the user (status, roles: tag `user:<id>`) or to a role (`*`).
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
      },
      tags: [`user:${row.id}`],
    };
  });
}
