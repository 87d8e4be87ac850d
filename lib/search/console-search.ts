import type { Principal } from "../auth/principal.ts";
import { listClientsSchema } from "../clients/client-schemas.ts";
import { listClients } from "../clients/list-clients.ts";
import { can } from "../policy/authorize.ts";
import { ACCOUNT_LINKS, visibleAreas, type NavLink } from "../policy/navigation.ts";
import { listRoles } from "../roles/list-roles.ts";
import { listUsers } from "../users/list-users.ts";
import { listUsersSchema } from "../users/user-schemas.ts";
import { matchPages } from "./match-pages.ts";
import type { ConsoleSearchInput, ConsoleSearchResult, SearchHit } from "./search-schemas.ts";

/** A handful of each kind: the palette jumps somewhere; the lists are for browsing. */
export const HITS_PER_KIND = 5;

const NOTHING: ConsoleSearchResult = { pages: [], users: [], roles: [], clients: [] };

/**
 * The pages a principal may open from the palette: the sidebar's areas and the account pages.
 * Only a person has pages; a bearer credential (the API) gets objects only.
 */
export function searchablePages(principal: Principal): NavLink[] {
  if (principal.kind !== "user" || principal.mustEnrollMfa) return [];
  return [...visibleAreas(principal), ...ACCOUNT_LINKS];
}

/**
 * The command palette: pages, users, roles and API clients matching part of a name (and a user's
 * email), through the lists' own functions, so their permission checks and indexed searches apply.
 * A kind the principal may not list is left empty, not refused, and a user who must still enroll a
 * factor finds nothing (they may open only the enrollment page).
 */
export async function searchConsole(
  principal: Principal,
  input: ConsoleSearchInput,
): Promise<ConsoleSearchResult> {
  if (principal.kind === "user" && principal.mustEnrollMfa) return NOTHING;
  const { q } = input;
  const [users, roles, clients] = await Promise.all([
    can(principal, "users.read") ? searchUsers(principal, q) : [],
    can(principal, "roles.read") ? searchRoles(principal, q) : [],
    can(principal, "clients.read") ? searchClients(principal, q) : [],
  ]);
  return { pages: matchPages(searchablePages(principal), q), users, roles, clients };
}

async function searchUsers(principal: Principal, q: string): Promise<SearchHit[]> {
  const page = await listUsers(principal, listUsersSchema.parse({ q, sort: "name", limit: HITS_PER_KIND }));
  return page.items.map((user) => ({
    id: user.id,
    label: user.name,
    detail: user.status === "active" ? user.email : `${user.email} · ${user.status}`,
    href: `/users/${user.id}`,
  }));
}

async function searchRoles(principal: Principal, q: string): Promise<SearchHit[]> {
  const { items: roles } = await listRoles(principal, { q, limit: HITS_PER_KIND });
  return roles.map((role) => ({
    id: role.id,
    label: role.name,
    detail: role.description || (role.builtIn ? "Built-in role" : "Custom role"),
    href: `/roles/${role.id}`,
  }));
}

async function searchClients(principal: Principal, q: string): Promise<SearchHit[]> {
  const page = await listClients(principal, listClientsSchema.parse({ q, limit: HITS_PER_KIND }));
  return page.items.map((client) => {
    const owner = client.owner ? `Owned by ${client.owner.email}` : "No owner";
    return {
      id: client.id,
      label: client.name,
      detail: client.status === "active" ? owner : `${owner} · ${client.status}`,
      href: `/clients/${client.id}`,
    };
  });
}
