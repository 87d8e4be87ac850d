import { credentialsChanged } from "../credentials/change-feed.ts";
import type { Tx } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";

/**
 * Who holds some permissions: the roles granting them, the tokens and clients carrying them. What
 * removing a permission (or a whole API) would take from them, named before it is done.
 */
export type PermissionHolders = {
  roles: { id: string; name: string }[];
  tokens: { id: string; name: string; owner: string }[];
  clients: { id: string; name: string }[];
  /** Applications that may ask for it on their users' behalf (issue 15). */
  apps: { id: string; name: string }[];
};

/** How many holders of each kind a message or an audit event names; the counts are exact. */
const NAMED = 50;

export async function holdersOf(
  tx: Tx,
  permissionIds: readonly string[],
): Promise<PermissionHolders & { counts: { roles: number; tokens: number; clients: number; apps: number } }> {
  const ids = [...permissionIds];
  const where = { permissionId: { in: ids } };
  // One query at a time: a transaction has one connection (embedded mode has only one at all).
  const roles = await tx.role.findMany({
    where: { grants: { some: where } },
    select: { id: true, name: true },
    orderBy: { name: "asc" },
  });
  // Revoked and expired tokens authorize nothing: their grants go too, without being named.
  const now = new Date();
  const tokens = await tx.apiToken.findMany({
    where: {
      scopes: { some: where },
      revokedAt: null,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
    },
    select: { id: true, name: true, user: { select: { email: true } } },
    orderBy: { createdAt: "asc" },
  });
  const clients = await tx.apiClient.findMany({
    where: { allowedScopes: { some: where } },
    select: { id: true, name: true },
    orderBy: { name: "asc" },
  });
  const apps = await tx.application.findMany({
    where: { permissions: { some: where } },
    select: { id: true, name: true },
    orderBy: { name: "asc" },
  });
  return {
    roles,
    tokens: tokens.map((token) => ({ id: token.id, name: token.name, owner: token.user.email })),
    clients,
    apps,
    counts: { roles: roles.length, tokens: tokens.length, clients: clients.length, apps: apps.length },
  };
}

export const isHeld = (holders: PermissionHolders) =>
  holders.roles.length + holders.tokens.length + holders.clients.length + holders.apps.length > 0;

/** The holders for an audit event or an error: at most NAMED of each kind, with exact counts. */
export function namedHolders(holders: PermissionHolders) {
  return {
    roles: holders.roles.slice(0, NAMED),
    tokens: holders.tokens.slice(0, NAMED),
    clients: holders.clients.slice(0, NAMED),
    apps: holders.apps.slice(0, NAMED),
    counts: {
      roles: holders.roles.length,
      tokens: holders.tokens.length,
      clients: holders.clients.length,
      apps: holders.apps.length,
    },
  };
}

function list(kind: string, names: string[]): string {
  if (names.length === 0) return "";
  const shown = names.slice(0, 10).join(", ");
  const more = names.length > 10 ? ` and ${names.length - 10} more` : "";
  return `${kind} ${shown}${more}`;
}

/** "Roles Ops, Support; tokens deploy (ann@x); clients billing-sync" */
export function describeHolders(holders: PermissionHolders): string {
  return [
    list(
      holders.roles.length === 1 ? "role" : "roles",
      holders.roles.map((role) => role.name),
    ),
    list(
      holders.tokens.length === 1 ? "token" : "tokens",
      holders.tokens.map((token) => `${token.name} (${token.owner})`),
    ),
    list(
      holders.clients.length === 1 ? "client" : "clients",
      holders.clients.map((client) => client.name),
    ),
    list(
      holders.apps.length === 1 ? "application" : "applications",
      holders.apps.map((app) => app.name),
    ),
  ]
    .filter(Boolean)
    .join("; ");
}

/** 409: what is asked would take permissions from their holders, named; `holders` is in the problem. */
export function inUse(what: string, holders: PermissionHolders): AppError {
  return new AppError(
    "conflict",
    `${what} is held by ${describeHolders(holders)}. Confirm to remove it from them (confirm=true).`,
    { holders: namedHolders(holders) },
  );
}

/**
 * Deletes every grant of these permissions (roles, tokens, clients, apps) in `tx`, and tells the
 * credential caches: a role's holders are anyone, so a role grant forgets every entry.
 */
export async function removeGrants(tx: Tx, permissionIds: readonly string[], holders: PermissionHolders) {
  const where = { permissionId: { in: [...permissionIds] } };
  await tx.rolePermission.deleteMany({ where });
  await tx.apiTokenPermission.deleteMany({ where });
  await tx.apiClientPermission.deleteMany({ where });
  await tx.applicationPermission.deleteMany({ where });
  const tags =
    holders.roles.length > 0 || holders.tokens.length + holders.clients.length + holders.apps.length > 500
      ? (["*"] as const)
      : ([
          "apis",
          ...holders.tokens.map((token) => `token:${token.id}` as const),
          ...holders.clients.map((client) => `client:${client.id}` as const),
          ...holders.apps.map((app) => `app:${app.id}` as const),
        ] as const);
  await credentialsChanged(tx, tags);
}
