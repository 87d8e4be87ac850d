import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { Prisma } from "../db/generated/client.ts";
import { authorize } from "../policy/authorize.ts";
import { emailVerified } from "./email-verification.ts";
import { inOrder, substringPage } from "../search/substring-page.ts";
import { userSearch, type SearchOrder } from "./search-users.ts";
import type { ListUsersInput } from "./user-schemas.ts";

export type UserListItem = {
  id: string;
  email: string;
  name: string;
  status: "invited" | "active" | "disabled";
  createdAt: Date;
  lastSignInAt: Date | null;
  roles: string[];
  hasMfa: boolean;
  emailVerified: boolean;
};

export type UserPage = { items: UserListItem[]; nextCursor: string | null; prevCursor: string | null };

const HAS_MFA: Prisma.UserWhereInput = {
  OR: [{ totpFactors: { some: { activatedAt: { not: null } } } }, { webauthnCreds: { some: {} } }],
};

function where(input: ListUsersInput): Prisma.UserWhereInput {
  const and: Prisma.UserWhereInput[] = [];
  if (input.role) and.push({ roles: { some: { roleId: input.role } } });
  if (input.status) and.push({ status: input.status });
  if (input.mfa === "yes") and.push(HAS_MFA);
  if (input.mfa === "no") and.push({ NOT: HAS_MFA });
  return { AND: and };
}

const SORT_FIELD = { email: "email", name: "name", created: "createdAt" } as const;

const SELECT = {
  id: true,
  email: true,
  name: true,
  status: true,
  createdAt: true,
  lastSignInAt: true,
  emailVerifiedAt: true,
  roles: { select: { role: { select: { name: true } } } },
  totpFactors: { where: { activatedAt: { not: null } }, select: { id: true }, take: 1 },
  webauthnCreds: { select: { id: true }, take: 1 },
} satisfies Prisma.UserSelect;

type Row = Prisma.UserGetPayload<{ select: typeof SELECT }>;

/** The rows of a page in walking order, and where the walk stopped when it was bounded. */
type Walk = { rows: Row[]; resumeAt: string | null };

/**
 * A search (`q`) picks the page's ids with SQL of its own (lib/search/substring-page.ts: a plan that
 * does not depend on the planner's statistics), then loads them here; the lists without `q` are
 * walks of an ordering index whatever the statistics, and stay plain Prisma.
 */
async function walk(input: ListUsersInput, order: SearchOrder, cursorId: string | undefined): Promise<Walk> {
  const take = input.limit + 1;
  if (!input.q) {
    const field = SORT_FIELD[input.sort];
    const rows = await db.user.findMany({
      where: where(input),
      orderBy: [{ [field]: order.dir }, { id: order.dir }],
      take,
      ...(cursorId ? { cursor: { id: cursorId }, skip: 1 } : {}),
      select: SELECT,
    });
    return { rows, resumeAt: null };
  }
  const found = await substringPage(userSearch({ input, order, cursorId, take }));
  const loaded = found.ids.length
    ? await db.user.findMany({ where: { id: { in: found.ids } }, select: SELECT })
    : [];
  const rows = inOrder(found.ids, loaded);
  return { rows, resumeAt: rows.length > input.limit ? null : found.resumeAt };
}

/**
 * One page of users. Cursor pagination on (sort field, id), both indexed, so the tenth page costs
 * what the first does; `before` walks backwards from a cursor.
 */
export async function listUsers(actor: Principal, input: ListUsersInput): Promise<UserPage> {
  authorize(actor, "users.read");
  const backwards = Boolean(input.before) && !input.after;
  const cursorId = input.after ?? input.before;
  const flip = (dir: "asc" | "desc") => (backwards ? (dir === "asc" ? "desc" : "asc") : dir);
  const order: SearchOrder = { field: SORT_FIELD[input.sort], dir: flip(input.dir) };
  const { rows, resumeAt } = await walk(input, order, cursorId);
  const page = rows.slice(0, input.limit);
  // Where a next page (in the walking direction) starts: after the last row shown when the walk
  // found more; after the last user looked at when a bounded search (one or two characters)
  // stopped before filling the page; nowhere when the walk reached the end.
  const walkEdge = rows.length > input.limit ? (page.at(-1)?.id ?? null) : resumeAt;
  if (backwards) page.reverse();
  const items = page.map((row) => ({
    id: row.id,
    email: row.email,
    name: row.name,
    status: row.status,
    createdAt: row.createdAt,
    lastSignInAt: row.lastSignInAt,
    roles: row.roles.map(({ role }) => role.name).sort(),
    hasMfa: row.totpFactors.length > 0 || row.webauthnCreds.length > 0,
    emailVerified: emailVerified(row),
  }));
  const first = items[0]?.id ?? null;
  const last = items.at(-1)?.id ?? null;
  return {
    items,
    nextCursor: backwards ? (cursorId ? last : null) : walkEdge,
    prevCursor: backwards ? walkEdge : cursorId ? first : null,
  };
}
