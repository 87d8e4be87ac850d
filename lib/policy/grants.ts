import type { Principal } from "../auth/principal.ts";
import { Forbidden } from "../errors/app-error.ts";
import { missingPermissions } from "./authorize.ts";
import type { Permission } from "./permissions.ts";

/**
 * Nobody grants what they do not hold: creating or editing a role, or assigning or removing one,
 * is refused when it touches a permission the actor lacks. (Removing counts too: otherwise a User
 * manager could demote an Administrator.)
 */
export function assertCanGrant(actor: Principal, permissions: readonly Permission[]): void {
  const missing = missingPermissions(actor, permissions);
  if (missing.length > 0) {
    throw Forbidden(`You cannot grant permissions you do not hold: ${missing.join(", ")}.`);
  }
}
