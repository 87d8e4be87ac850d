/**
 * The permission catalog: `resource.action`. Stored on roles by key; every check goes through
 * lib/policy/authorize.ts. Self-service (one's own profile, password, factors, sessions) needs none.
 */
export const PERMISSIONS = [
  "users.read",
  "users.write",
  "roles.read",
  "roles.write",
  "clients.read",
  "clients.write",
  "tokens.create",
  "tokens.read",
  "tokens.write",
  "audit.read",
  "settings.write",
  "apis.read",
  "apis.write",
  "apps.read",
  "apps.write",
] as const;

export type Permission = (typeof PERMISSIONS)[number];

export const PERMISSION_DESCRIPTIONS = {
  "users.read": "See users, their roles, factors and sessions.",
  "users.write": "Invite, edit, disable and delete users; manage their roles, sessions and MFA.",
  "roles.read": "See roles and the permissions they grant.",
  "roles.write": "Create, edit and delete custom roles.",
  "clients.read": "See API clients.",
  "clients.write": "Register, rotate, disable and delete API clients.",
  "tokens.create": "Mint personal API tokens for oneself.",
  "tokens.read": "See every user's API tokens.",
  "tokens.write": "Revoke any user's API tokens.",
  "audit.read": "Read and export the audit log.",
  "settings.write": "Change global settings and rotate signing keys.",
  "apis.read":
    "See the registered APIs, their permissions, who holds them and their resource-server credentials.",
  "apis.write":
    "Register, edit, disable and remove APIs and their permissions; manage any API's resource-server credentials.",
  "apps.read": "See the applications that sign users in through Keyward, and what each may ask for.",
  "apps.write": "Register, edit, disable and delete applications, and replace their secrets.",
} satisfies Record<Permission, string>;

const known = new Set<string>(PERMISSIONS);

export function isPermission(value: string): value is Permission {
  return known.has(value);
}

/**
 * Names read back from storage may include keys this version does not define (a newer or older
 * version's): they authorize nothing. They stay stored and are reported (lib/apis/built-in-api.ts).
 */
export function toPermissions(values: readonly string[]): Permission[] {
  return values.filter(isPermission);
}
