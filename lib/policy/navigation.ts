import type { UserPrincipal } from "../auth/principal.ts";
import { can } from "./authorize.ts";
import type { Permission } from "./permissions.ts";

/** The app's areas and the permissions that open them; the shell shows a user only what they may use. */
export const AREAS: { href: string; label: string; anyOf: Permission[] }[] = [
  { href: "/users", label: "Users", anyOf: ["users.read"] },
  { href: "/roles", label: "Roles", anyOf: ["roles.read"] },
  { href: "/clients", label: "API clients", anyOf: ["clients.read"] },
  { href: "/tokens", label: "Tokens", anyOf: ["tokens.create", "tokens.read"] },
  { href: "/audit", label: "Audit log", anyOf: ["audit.read"] },
  { href: "/settings", label: "Settings", anyOf: ["settings.write"] },
];

/** How to call the API: for anyone signed in (what they may call still depends on their permissions). */
const API_REFERENCE = { href: "/api-docs", label: "API reference" };

const SELF_SERVICE = [
  { href: "/account", label: "My account" },
  { href: "/account/security", label: "Security" },
];

/** A user who must still enroll a second factor sees only where to do it. */
export function visibleAreas(principal: UserPrincipal): { href: string; label: string }[] {
  if (principal.mustEnrollMfa) return SELF_SERVICE.slice(1);
  const areas = AREAS.filter((area) => area.anyOf.some((p) => can(principal, p)));
  return [...areas.map(({ href, label }) => ({ href, label })), API_REFERENCE, ...SELF_SERVICE];
}
