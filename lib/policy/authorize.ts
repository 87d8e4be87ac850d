import type { Principal } from "../auth/principal.ts";
import { Forbidden } from "../errors/app-error.ts";
import type { Permission } from "./permissions.ts";

/**
 * The only place access decisions are made. Function level: lacking the permission for a whole
 * function is 403. Object level (a caller who may use the function but not see an object) is
 * answered 404 by the domain query that scopes the lookup, so existence is not revealed.
 */
export function can(principal: Principal, permission: Permission): boolean {
  return principal.permissions.has(permission);
}

export function authorize(principal: Principal, permission: Permission): void {
  if (!can(principal, permission)) throw Forbidden();
}

/** Nobody grants what they do not hold: the permissions in `granted` the actor lacks. */
export function missingPermissions(principal: Principal, granted: readonly Permission[]): Permission[] {
  return granted.filter((p) => !principal.permissions.has(p));
}
