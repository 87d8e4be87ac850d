import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { cursorPage } from "../db/cursor-page.ts";
import { Prisma } from "../db/generated/client.ts";
import { likeLiteral } from "../db/like.ts";
import { NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { GRANT_SELECT, splitGrants } from "../apis/built-in-api.ts";
import { apiScopeViews, type ApiScopeView } from "../credentials/api-scopes.ts";
import type { Permission } from "../policy/permissions.ts";
import { inOrder, substringPage, TRIGRAM_MIN_LENGTH } from "../search/substring-page.ts";
import type { ListClientsInput } from "./client-schemas.ts";

/** "orphaned": its owner was disabled or deleted, so it issues nothing until an admin reassigns it. */
export type ClientStatus = "active" | "disabled" | "orphaned";

export type ClientView = {
  id: string;
  name: string;
  description: string;
  scopes: Permission[];
  /**
   * Its allowed permissions of other APIs, each saying whether the client may be granted it now
   * (allowed ∩ what its owner holds there, the API active, the permission not deprecated) and, if
   * not, why.
   */
  apiPermissions: ApiScopeView[];
  /** RFC 9449: it gets tokens only with a DPoP proof, each bound to its key. */
  requireDpop: boolean;
  status: ClientStatus;
  owner: { id: string; email: string; name: string; active: boolean } | null;
  /** Proposed as the new owner, not owner until they accept. */
  pendingOwner: { id: string; email: string; name: string; since: Date | null } | null;
  createdAt: Date;
  updatedAt: Date;
  lastUsedAt: Date | null;
  secrets: { id: string; fragment: string; createdAt: Date; expiresAt: Date | null }[];
};

const INCLUDE = {
  owner: { select: { id: true, email: true, name: true, status: true } },
  pendingOwner: { select: { id: true, email: true, name: true } },
  secrets: {
    orderBy: { createdAt: "desc" },
    select: { id: true, fragment: true, createdAt: true, expiresAt: true },
  },
  allowedScopes: GRANT_SELECT,
} as const satisfies Prisma.ApiClientInclude;

type Row = Prisma.ApiClientGetPayload<{ include: typeof INCLUDE }>;

function toView(row: Row, apiPermissions: ApiScopeView[]): ClientView {
  const now = new Date();
  const ownerActive = row.owner?.status === "active";
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    scopes: splitGrants(row.allowedScopes).permissions,
    apiPermissions,
    requireDpop: row.requireDpop,
    status: row.disabledAt ? "disabled" : ownerActive ? "active" : "orphaned",
    owner: row.owner
      ? { id: row.owner.id, email: row.owner.email, name: row.owner.name, active: ownerActive }
      : null,
    pendingOwner: row.pendingOwner ? { ...row.pendingOwner, since: row.pendingOwnerSince } : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    lastUsedAt: row.lastUsedAt,
    secrets: row.secrets.filter((secret) => !secret.expiresAt || secret.expiresAt > now),
  };
}

async function withApiScopes(page: { items: Row[]; nextCursor: string | null }) {
  const scopes = await apiScopeViews(
    "client",
    page.items.map((row) => ({
      id: row.id,
      owner: row.owner ? { id: row.owner.id, active: row.owner.status === "active" } : null,
    })),
  );
  return { ...page, items: page.items.map((row) => toView(row, scopes.get(row.id) ?? [])) };
}

function where(input: ListClientsInput): Prisma.ApiClientWhereInput {
  const and: Prisma.ApiClientWhereInput[] = [];
  if (input.ownerId) and.push({ ownerId: input.ownerId });
  if (input.status === "disabled") and.push({ disabledAt: { not: null } });
  if (input.status === "active") and.push({ disabledAt: null, owner: { status: "active" } });
  if (input.status === "orphaned") {
    and.push({ disabledAt: null, OR: [{ ownerId: null }, { owner: { status: { not: "active" } } }] });
  }
  return { AND: and };
}

/** The same filters as `where`, in SQL on the search's row `t` (an owner always exists when set). */
function filterSql(input: ListClientsInput): Prisma.Sql {
  const and: Prisma.Sql[] = [Prisma.sql`TRUE`];
  const ownerActive = Prisma.sql`EXISTS (SELECT 1 FROM "User" o WHERE o."id" = t."ownerId" AND o."status" = 'active')`;
  if (input.ownerId) and.push(Prisma.sql`t."ownerId" = ${input.ownerId}`);
  if (input.status === "disabled") and.push(Prisma.sql`t."disabledAt" IS NOT NULL`);
  if (input.status === "active") and.push(Prisma.sql`t."disabledAt" IS NULL AND ${ownerActive}`);
  if (input.status === "orphaned") {
    and.push(Prisma.sql`t."disabledAt" IS NULL AND (t."ownerId" IS NULL OR NOT ${ownerActive})`);
  }
  return Prisma.join(and, " AND ");
}

export async function listClients(
  actor: Principal,
  input: ListClientsInput,
): Promise<{ items: ClientView[]; nextCursor: string | null }> {
  authorize(actor, "clients.read");
  if (!input.q) {
    const rows = await db.apiClient.findMany({
      where: where(input),
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      take: input.limit + 1,
      ...(input.after ? { cursor: { id: input.after }, skip: 1 } : {}),
      include: INCLUDE,
    });
    return withApiScopes(cursorPage(rows, input.limit, (row) => row));
  }
  // A search picks its ids with a plan that does not depend on the statistics (the trigram index
  // on name, `%` and `_` literal), then loads them; one or two characters search a bounded window.
  const found = await substringPage({
    table: "ApiClient",
    columns: ["createdAt", "ownerId", "disabledAt", "name"],
    match: Prisma.sql`t."name" ILIKE ${`%${likeLiteral(input.q)}%`}`,
    filters: filterSql(input),
    order: { column: "createdAt", dir: "desc" },
    cursorId: input.after,
    take: input.limit + 1,
    short: input.q.length < TRIGRAM_MIN_LENGTH,
  });
  const rows = found.ids.length
    ? inOrder(found.ids, await db.apiClient.findMany({ where: { id: { in: found.ids } }, include: INCLUDE }))
    : [];
  const page = cursorPage(rows, input.limit, (row) => row);
  return withApiScopes(rows.length > input.limit ? page : { ...page, nextCursor: found.resumeAt });
}

export async function getClient(actor: Principal, clientId: string): Promise<ClientView> {
  authorize(actor, "clients.read");
  const row = await db.apiClient.findUnique({ where: { id: clientId }, include: INCLUDE });
  if (!row) throw NotFound("client");
  const [view] = (await withApiScopes({ items: [row], nextCursor: null })).items;
  if (!view) throw NotFound("client");
  return view;
}
