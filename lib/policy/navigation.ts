import type { Principal } from "../auth/principal.ts";
import { can } from "./authorize.ts";
import type { Permission } from "./permissions.ts";

/** The app's areas and the permissions that open them; the shell shows a user only what they may use. */
export const AREAS: { href: string; label: string; anyOf: Permission[] }[] = [
  { href: "/users", label: "Users", anyOf: ["users.read"] },
  { href: "/roles", label: "Roles", anyOf: ["roles.read"] },
  { href: "/clients", label: "API clients", anyOf: ["clients.read"] },
  { href: "/tokens", label: "Tokens", anyOf: ["tokens.create", "tokens.read"] },
  { href: "/audit", label: "Audit log", anyOf: ["audit.read"] },
];

export function visibleAreas(principal: Principal): { href: string; label: string }[] {
  const areas = AREAS.filter((area) => area.anyOf.some((p) => can(principal, p)));
  return [...areas.map(({ href, label }) => ({ href, label })), { href: "/account", label: "My account" }];
}
