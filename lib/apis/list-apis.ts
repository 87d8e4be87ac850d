import type { Principal } from "../auth/principal.ts";
import { db, type Db, type Tx } from "../db/client.ts";
import { cursorPage } from "../db/cursor-page.ts";
import type { Prisma } from "../db/generated/client.ts";
import { likeLiteral } from "../db/like.ts";
import { NotFound } from "../errors/app-error.ts";
import { authorize, can } from "../policy/authorize.ts";
import { BUILT_IN_API_ID } from "./built-in-api.ts";

/**
 * Reading the API registry (issue 14). apis.read sees every API; an API's owner, signed in, sees
 * their own (they answer for it). Ownership counts for a signed-in person only: a bearer
 * credential acts within its scopes. An API the caller may not see is "not found".
 */
export type ApiOwner = { id: string; name: string; email: string } | null;

export type ApiListItem = {
  id: string;
  name: string;
  identifier: string;
  description: string;
  builtIn: boolean;
  owner: ApiOwner;
  disabled: boolean;
  permissionCount: number;
  createdAt: Date;
};

export type ApiPermissionView = {
  id: string;
  name: string;
  description: string;
  deprecated: boolean;
  roles: { id: string; name: string }[];
  /** Live personal tokens (not revoked, not expired) carrying it. */
  tokenCount: number;
  clientCount: number;
};

export type ApiDetail = ApiListItem & {
  accessTokenTtlSeconds: number;
  allowPersonalTokens: boolean;
  /** RFC 9449: only DPoP-bound tokens are issued for it, and active at its introspection. */
  requireDpop: boolean;
  /** The identifier no longer changes: a token or client holds one of the API's permissions. */
  identifierLocked: boolean;
  updatedAt: Date;
  permissions: ApiPermissionView[];
  /** Whether the caller may edit it (apis.write or its owner; never the built-in API). */
  mayEdit: boolean;
};

const OWNER = { select: { id: true, name: true, email: true } } as const;

/** Whether a signed-in person is the API's owner: ownership never counts for bearer credentials. */
export const isOwner = (actor: Principal, ownerId: string | null) =>
  actor.kind === "user" && ownerId !== null && ownerId === actor.userId;

export const maySeeApi = (actor: Principal, ownerId: string | null) =>
  can(actor, "apis.read") || can(actor, "apis.write") || isOwner(actor, ownerId);

export const mayEditApi = (actor: Principal, api: { id: string; ownerId: string | null }) =>
  api.id !== BUILT_IN_API_ID && (can(actor, "apis.write") || isOwner(actor, api.ownerId));

export type ListApisOptions = { actor: Principal; cursor?: string; limit?: number; query?: string };

/** Every API by name, a page at a time (the cursor is the last id shown), searched by name or identifier. */
export async function listApis(
  options: ListApisOptions,
): Promise<{ items: ApiListItem[]; nextCursor: string | null }> {
  authorize(options.actor, "apis.read");
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 100);
  const query = options.query?.trim();
  const where: Prisma.ApiWhereInput = query
    ? {
        OR: [
          { name: { contains: likeLiteral(query), mode: "insensitive" } },
          { identifier: { contains: likeLiteral(query), mode: "insensitive" } },
        ],
      }
    : {};
  const rows = await db.api.findMany({
    where,
    orderBy: [{ name: "asc" }, { id: "asc" }],
    take: limit + 1,
    ...(options.cursor ? { cursor: { id: options.cursor }, skip: 1 } : {}),
    include: { owner: OWNER, _count: { select: { permissions: true } } },
  });
  return cursorPage(rows, limit, (row) => ({
    id: row.id,
    name: row.name,
    identifier: row.identifier,
    description: row.description,
    builtIn: row.id === BUILT_IN_API_ID,
    owner: row.owner,
    disabled: row.disabledAt !== null,
    permissionCount: row._count.permissions,
    createdAt: row.createdAt,
  }));
}

/** Whether any token or client holds a permission of the API: its identifier (their `aud`) is then fixed. */
export async function identifierLocked(client: Db | Tx, apiId: string): Promise<boolean> {
  const [token, clientGrant] = await Promise.all([
    client.apiTokenPermission.findFirst({ where: { permission: { apiId } }, select: { tokenId: true } }),
    client.apiClientPermission.findFirst({ where: { permission: { apiId } }, select: { clientId: true } }),
  ]);
  return token !== null || clientGrant !== null;
}

/** One API with its permissions and who holds each. apis.read, or its owner. */
export async function getApi(options: { actor: Principal; id: string }): Promise<ApiDetail> {
  const { actor, id } = options;
  const now = new Date();
  const row = await db.api.findUnique({
    where: { id },
    include: {
      owner: OWNER,
      permissions: {
        orderBy: { name: "asc" },
        include: {
          roles: {
            select: { role: { select: { id: true, name: true } } },
            orderBy: { role: { name: "asc" } },
          },
          _count: {
            select: {
              tokens: {
                where: { token: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } },
              },
              clients: true,
            },
          },
        },
      },
    },
  });
  if (!row || !maySeeApi(actor, row.ownerId)) throw NotFound("API");
  return {
    id: row.id,
    name: row.name,
    identifier: row.identifier,
    description: row.description,
    builtIn: row.id === BUILT_IN_API_ID,
    owner: row.owner,
    disabled: row.disabledAt !== null,
    permissionCount: row.permissions.length,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    accessTokenTtlSeconds: row.accessTokenTtlSeconds,
    allowPersonalTokens: row.allowPersonalTokens,
    requireDpop: row.requireDpop,
    identifierLocked: await identifierLocked(db, row.id),
    permissions: row.permissions.map((permission) => ({
      id: permission.id,
      name: permission.name,
      description: permission.description,
      deprecated: permission.deprecatedAt !== null,
      roles: permission.roles.map(({ role }) => role),
      tokenCount: permission._count.tokens,
      clientCount: permission._count.clients,
    })),
    mayEdit: mayEditApi(actor, row),
  };
}

/** One permission of an API, as in `getApi` (same rule: apis.read, or its owner). */
export async function getApiPermission(options: {
  actor: Principal;
  apiId: string;
  permissionId: string;
}): Promise<ApiPermissionView> {
  const api = await getApi({ actor: options.actor, id: options.apiId });
  const permission = api.permissions.find((candidate) => candidate.id === options.permissionId);
  if (!permission) throw NotFound("permission");
  return permission;
}
