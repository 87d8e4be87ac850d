import { PERMISSIONS, isPermission, type Permission } from "../policy/permissions.ts";

/**
 * Keyward's own admin API is the built-in row of the API registry (ADR 0011): its permissions are
 * typed in code and are also rows, so roles, tokens and clients hold them the way they will hold
 * any API's. Their ids are derived from their names, so code can name a row without a lookup.
 */
export const BUILT_IN_API_ID = "api_keyward";
export const BUILT_IN_API_NAME = "Keyward admin API";
export const BUILT_IN_PERMISSION_PREFIX = "perm_keyward_";

export function builtInPermissionId(permission: Permission): string {
  return `${BUILT_IN_PERMISSION_PREFIX}${permission}`;
}

/** The foreign-key rows for a set of Keyward permissions (role grants, token or client scopes). */
export function builtInGrantRows(permissions: readonly Permission[]): { permissionId: string }[] {
  return [...new Set(permissions)].map((permission) => ({ permissionId: builtInPermissionId(permission) }));
}

/** What a query returns for one stored grant. */
export type StoredGrant = { permission: { apiId: string; name: string } };

/** The select that reads stored grants for `splitGrants`. */
export const GRANT_SELECT = { select: { permission: { select: { apiId: true, name: true } } } } as const;

/**
 * Stored grants, split into the Keyward permissions this version knows and the ones it does not
 * (a key a newer or older version defined): those are reported, never silently dropped, and a save
 * of the known ones leaves them in place (see `replaceBuiltInGrants`).
 */
export function splitGrants(grants: readonly StoredGrant[]): {
  permissions: Permission[];
  unresolved: string[];
} {
  const permissions: Permission[] = [];
  const unresolved: string[] = [];
  for (const { permission } of grants) {
    if (permission.apiId !== BUILT_IN_API_ID) continue;
    if (isPermission(permission.name)) permissions.push(permission.name);
    else unresolved.push(permission.name);
  }
  return { permissions: [...new Set(permissions)].sort(), unresolved: [...new Set(unresolved)].sort() };
}

/**
 * A save of a set of Keyward permissions as a change to stored grants: which rows to delete (known
 * permissions no longer chosen; unresolved ones are not the editor's to erase) and which to add.
 * Each owner (role, client) applies it to its own join table.
 */
export function builtInGrantChange(next: readonly Permission[]): {
  remove: { permissionId: { in: string[]; notIn: string[] } };
  add: string[];
} {
  const add = [...new Set(next)].map(builtInPermissionId);
  return { remove: { permissionId: { in: PERMISSIONS.map(builtInPermissionId), notIn: add } }, add };
}
