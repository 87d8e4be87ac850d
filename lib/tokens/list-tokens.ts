import { accountableUserId, type Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { cursorPage } from "../db/cursor-page.ts";
import type { Prisma } from "../db/generated/client.ts";
import { Forbidden } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { GRANT_SELECT, splitGrants } from "../apis/built-in-api.ts";
import { apiScopeViews, type ApiScopeView } from "../credentials/api-scopes.ts";
import type { Permission } from "../policy/permissions.ts";
import { findVisibleToken } from "./token-access.ts";
import type { ListTokensInput } from "./token-schemas.ts";

export type TokenStatus = "active" | "expired" | "revoked";

export type TokenView = {
  id: string;
  name: string;
  scopes: Permission[];
  /** Its permissions of other APIs, each saying whether it is usable now and, if not, why. */
  apiPermissions: ApiScopeView[];
  status: TokenStatus;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  lastUsedIp: string | null;
  /** Prefix and last characters of the current secret; during a rotation overlap, the newest. */
  fragment: string;
  /** An older secret still accepted until this time (a rotation overlap), if any. */
  overlapEndsAt: Date | null;
  owner: { id: string; email: string; name: string };
};

const INCLUDE = {
  user: { select: { id: true, email: true, name: true, status: true } },
  secrets: { orderBy: { createdAt: "desc" }, select: { fragment: true, expiresAt: true } },
  scopes: GRANT_SELECT,
} as const satisfies Prisma.ApiTokenInclude;

type Row = Prisma.ApiTokenGetPayload<{ include: typeof INCLUDE }>;

export function statusOf(
  token: { revokedAt: Date | null; expiresAt: Date | null },
  now = new Date(),
): TokenStatus {
  if (token.revokedAt) return "revoked";
  if (token.expiresAt && token.expiresAt <= now) return "expired";
  return "active";
}

function toView(row: Row, now: Date, apiPermissions: ApiScopeView[]): TokenView {
  const overlap = row.secrets.find((secret) => secret.expiresAt && secret.expiresAt > now);
  return {
    id: row.id,
    name: row.name,
    scopes: splitGrants(row.scopes).permissions,
    apiPermissions,
    status: statusOf(row, now),
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    lastUsedAt: row.lastUsedAt,
    lastUsedIp: row.lastUsedIp,
    fragment: row.secrets[0]?.fragment ?? "",
    overlapEndsAt: overlap?.expiresAt ?? null,
    owner: { id: row.user.id, email: row.user.email, name: row.user.name },
  };
}

const holderOf = (row: Row) => ({
  id: row.id,
  owner: { id: row.user.id, active: row.user.status === "active" },
});

function statusWhere(status: TokenStatus | undefined, now: Date): Prisma.ApiTokenWhereInput {
  if (status === "revoked") return { revokedAt: { not: null } };
  if (status === "expired") return { revokedAt: null, expiresAt: { lte: now } };
  if (status === "active") return { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] };
  return {};
}

/**
 * The caller's own tokens, or (with tokens.read) everyone's or one user's: newest first, a cursor
 * page at a time.
 */
export async function listTokens(
  actor: Principal,
  input: ListTokensInput,
): Promise<{ items: TokenView[]; nextCursor: string | null }> {
  let userId: string | undefined;
  if (input.scope === "all" || input.userId) {
    authorize(actor, "tokens.read");
    userId = input.userId;
  } else {
    if (actor.kind === "client") throw Forbidden("An API client has no personal tokens.");
    userId = accountableUserId(actor);
  }
  const now = new Date();
  const rows = await db.apiToken.findMany({
    where: { ...(userId ? { userId } : {}), ...statusWhere(input.status, now) },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit + 1,
    ...(input.after ? { cursor: { id: input.after }, skip: 1 } : {}),
    include: INCLUDE,
  });
  const page = cursorPage(rows, input.limit, (row) => row);
  const scopes = await apiScopeViews("token", page.items.map(holderOf));
  return { ...page, items: page.items.map((row) => toView(row, now, scopes.get(row.id) ?? [])) };
}

export async function getToken(actor: Principal, tokenId: string): Promise<TokenView> {
  const row = await db.$transaction(async (tx) => {
    const token = await findVisibleToken(tx, actor, tokenId);
    const secrets = await tx.apiTokenSecret.findMany({
      where: { tokenId: token.id },
      orderBy: { createdAt: "desc" },
      select: { fragment: true, expiresAt: true },
    });
    return { ...token, secrets };
  });
  // After the transaction: the holdings are read on the pool (one connection in embedded mode).
  const scopes = await apiScopeViews("token", [holderOf(row)]);
  return toView(row, new Date(), scopes.get(row.id) ?? []);
}
