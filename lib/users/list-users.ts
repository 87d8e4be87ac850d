import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import type { Prisma } from "../db/generated/client.ts";
import { likeLiteral } from "../db/like.ts";
import { authorize } from "../policy/authorize.ts";
import { emailVerified } from "./email-verification.ts";
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
  // Substring search runs on the trigram indexes (pg_trgm) for email and name; `%` and `_` are literal.
  if (input.q) {
    const text = likeLiteral(input.q);
    and.push({
      OR: [{ email: { contains: text.toLowerCase() } }, { name: { contains: text, mode: "insensitive" } }],
    });
  }
  if (input.role) and.push({ roles: { some: { roleId: input.role } } });
  if (input.status) and.push({ status: input.status });
  if (input.mfa === "yes") and.push(HAS_MFA);
  if (input.mfa === "no") and.push({ NOT: HAS_MFA });
  return { AND: and };
}

const SORT_FIELD = { email: "email", name: "name", created: "createdAt" } as const;

/**
 * One page of users. Cursor pagination on (sort field, id), both indexed, so the tenth page costs
 * what the first does; `before` walks backwards from a cursor.
 */
export async function listUsers(actor: Principal, input: ListUsersInput): Promise<UserPage> {
  authorize(actor, "users.read");
  const field = SORT_FIELD[input.sort];
  const backwards = Boolean(input.before) && !input.after;
  const cursorId = input.after ?? input.before;
  const flip = (dir: "asc" | "desc") => (backwards ? (dir === "asc" ? "desc" : "asc") : dir);
  const rows = await db.user.findMany({
    where: where(input),
    orderBy: [{ [field]: flip(input.dir) }, { id: flip(input.dir) }],
    take: input.limit + 1,
    ...(cursorId ? { cursor: { id: cursorId }, skip: 1 } : {}),
    select: {
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
    },
  });
  const more = rows.length > input.limit;
  const page = rows.slice(0, input.limit);
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
    nextCursor: backwards ? (cursorId ? last : null) : more ? last : null,
    prevCursor: backwards ? (more ? first : null) : cursorId ? first : null,
  };
}
