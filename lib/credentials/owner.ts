import type { Db, Tx } from "../db/client.ts";
import { GRANT_SELECT, splitGrants, type StoredGrant } from "../apis/built-in-api.ts";
import { type Permission, toPermissions } from "../policy/permissions.ts";

/** The user who answers for a token or client, with the permissions their roles give them now. */
export type Owner = { id: string; email: string; name: string; active: boolean; permissions: Permission[] };

export const OWNER_SELECT = {
  id: true,
  email: true,
  name: true,
  status: true,
  roles: { select: { role: { select: { grants: GRANT_SELECT } } } },
} as const;

type OwnerRow = {
  id: string;
  email: string;
  name: string;
  status: string;
  roles: { role: { grants: StoredGrant[] } }[];
};

export function toOwner(row: OwnerRow): Owner {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    active: row.status === "active",
    permissions: splitGrants(row.roles.flatMap(({ role }) => role.grants)).permissions,
  };
}

export async function loadOwner(client: Db | Tx, userId: string): Promise<Owner | null> {
  const row = await client.user.findUnique({ where: { id: userId }, select: OWNER_SELECT });
  return row ? toOwner(row) : null;
}

/** Scopes narrowed to what the owner holds now (order kept, duplicates and unknown keys dropped). */
export function narrow(scopes: readonly string[], held: readonly Permission[]): Permission[] {
  const allowed = new Set(held);
  return [...new Set(toPermissions(scopes))].filter((scope) => allowed.has(scope));
}
