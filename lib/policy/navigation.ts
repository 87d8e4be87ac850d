import type { UserPrincipal } from "../auth/principal.ts";
import { can } from "./authorize.ts";
import type { Permission } from "./permissions.ts";

export type NavLink = { href: string; label: string };
export type NavGroup = { label: string | null; items: NavLink[] };

type Area = NavLink & {
  /** The sidebar's group; null for a top-level entry. */
  group: "Identity" | "Access" | null;
  /** Permissions that open the area (any one); absent for areas every signed-in user may open. */
  anyOf?: Permission[];
};

/**
 * The console's areas, in sidebar order, and the permissions that open them. A new area is one entry
 * here: the sidebar, the phone menu, the command palette's page list and the landing rule follow.
 * Groups keep the order of their first entry.
 */
export const AREAS: Area[] = [
  // The security overview (issue 17): the administrators' home; each of its cards needs its own permission.
  {
    href: "/overview",
    label: "Overview",
    group: null,
    anyOf: ["users.read", "tokens.read", "clients.read", "audit.read"],
  },
  { href: "/users", label: "Users", group: "Identity", anyOf: ["users.read"] },
  { href: "/roles", label: "Roles", group: "Identity", anyOf: ["roles.read"] },
  { href: "/clients", label: "API clients", group: "Access", anyOf: ["clients.read"] },
  { href: "/tokens", label: "Tokens", group: "Access", anyOf: ["tokens.create", "tokens.read"] },
  { href: "/audit", label: "Audit log", group: null, anyOf: ["audit.read"] },
  { href: "/settings", label: "Settings", group: null, anyOf: ["settings.write"] },
  // How to call the API: for anyone signed in (what they may call still depends on their permissions).
  { href: "/api-docs", label: "API reference", group: null },
  // The API registry (issue 14). An API's owner without apis.read reaches their own API from its link.
  { href: "/apis", label: "APIs", group: "Access", anyOf: ["apis.read"] },
  // Applications that sign users in through Keyward (issue 15).
  { href: "/apps", label: "Applications", group: "Access", anyOf: ["apps.read"] },
];

/** The account menu at the sidebar's foot: self-service, for everyone signed in. */
export const ACCOUNT_LINKS: NavLink[] = [
  { href: "/account", label: "My account" },
  { href: "/account/security", label: "Security" },
  // The apps that use one's Keyward account, and taking back what they were allowed (issue 15).
  { href: "/account/apps", label: "Connected apps" },
];

/** The one account page open during forced enrollment: where the factor is set up. */
const ENROLLMENT_PAGE = "/account/security";

/** The areas a principal may open, in order. A user who must still enroll a factor has none. */
export function visibleAreas(principal: UserPrincipal): NavLink[] {
  if (principal.mustEnrollMfa) return [];
  return AREAS.filter((area) => !area.anyOf || area.anyOf.some((p) => can(principal, p))).map(
    ({ href, label }) => ({ href, label }),
  );
}

/** The sidebar: the visible areas in their groups, groups in the order they first appear. */
export function navigationFor(principal: UserPrincipal): { groups: NavGroup[]; account: NavLink[] } {
  const visible = new Set(visibleAreas(principal).map((area) => area.href));
  const groups: NavGroup[] = [];
  for (const area of AREAS) {
    if (!visible.has(area.href)) continue;
    const last = groups.at(-1);
    const existing = area.group === null ? undefined : groups.find((g) => g.label === area.group);
    const link = { href: area.href, label: area.label };
    if (existing) existing.items.push(link);
    else if (area.group === null && last && last.label === null) last.items.push(link);
    else groups.push({ label: area.group, items: [link] });
  }
  // During forced enrollment only the Security page is open.
  const account = principal.mustEnrollMfa
    ? ACCOUNT_LINKS.filter((link) => link.href === ENROLLMENT_PAGE)
    : ACCOUNT_LINKS;
  return { groups, account };
}

/**
 * Where a user lands after signing in with no page asked for: those who may read any of the
 * overview's cards land on the Overview (issue 17), everyone else on their account.
 */
export function landingPath(principal: UserPrincipal): string {
  if (principal.mustEnrollMfa) return "/account/security?required=1";
  return visibleAreas(principal).some((area) => area.href === "/overview") ? "/overview" : "/account";
}
