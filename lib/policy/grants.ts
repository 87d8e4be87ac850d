import type { Principal } from "../auth/principal.ts";
import { Forbidden } from "../errors/app-error.ts";
import { missingPermissions } from "./authorize.ts";
import type { Permission } from "./permissions.ts";

const grantRefusal = (missing: string) => `You cannot grant permissions you do not hold: ${missing}.`;

/** What editing or deleting a role that grants more than the actor holds is told. */
export const roleRefusal = (missing: string) =>
  `This role grants permissions you do not hold (${missing}): only someone who holds all of them can edit or delete it.`;

/**
 * Nobody grants what they do not hold: creating, editing or deleting a role, or assigning or
 * removing one, is refused when it touches a permission the actor lacks. (Removing counts too:
 * otherwise a User manager could demote an Administrator. Editing counts whatever is edited:
 * otherwise a role manager could untick "requires MFA" on Administrator.)
 */
export function assertCanGrant(
  actor: Principal,
  permissions: readonly Permission[],
  refusal: (missing: string) => string = grantRefusal,
): void {
  const missing = [...new Set(missingPermissions(actor, permissions))];
  if (missing.length > 0) throw Forbidden(refusal(missing.join(", ")));
}
