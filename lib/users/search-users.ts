import { Prisma } from "../db/generated/client.ts";
import { likeLiteral } from "../db/like.ts";
import { TRIGRAM_MIN_LENGTH, type SubstringQuery } from "../search/substring-page.ts";
import type { ListUsersInput } from "./user-schemas.ts";

/** The order a search walks in (already flipped when paging backwards). */
export type SearchOrder = { field: "email" | "name" | "createdAt"; dir: "asc" | "desc" };

/**
 * The same expressions the trigram indexes are built on (`email`, stored lower-cased, with LIKE;
 * `name` with ILIKE, which lower-cases by the database's rules, Unicode included), so the index
 * serves them. `%`, `_` and `\` in the text are literal.
 */
function matches(q: string): Prisma.Sql {
  const text = likeLiteral(q);
  return Prisma.sql`(t."email" LIKE ${`%${text.toLowerCase()}%`} OR t."name" ILIKE ${`%${text}%`})`;
}

function filters(input: ListUsersInput): Prisma.Sql {
  const and: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (input.role) {
    and.push(
      Prisma.sql`EXISTS (SELECT 1 FROM "RoleAssignment" ra WHERE ra."userId" = t."id" AND ra."roleId" = ${input.role})`,
    );
  }
  if (input.status) and.push(Prisma.sql`t."status" = ${input.status}::"UserStatus"`);
  const hasMfa = Prisma.sql`(EXISTS (SELECT 1 FROM "TotpFactor" f WHERE f."userId" = t."id" AND f."activatedAt" IS NOT NULL) OR EXISTS (SELECT 1 FROM "WebAuthnCredential" w WHERE w."userId" = t."id"))`;
  if (input.mfa === "yes") and.push(hasMfa);
  if (input.mfa === "no") and.push(Prisma.sql`NOT ${hasMfa}`);
  return Prisma.join(and, " AND ");
}

/** A users-list search (`input.q` set) as a substring search of the User table. */
export function userSearch(options: {
  input: ListUsersInput;
  order: SearchOrder;
  cursorId: string | undefined;
  take: number;
}): SubstringQuery {
  const q = options.input.q ?? "";
  return {
    table: "User",
    columns: ["email", "name", "createdAt", "status"],
    match: matches(q),
    filters: filters(options.input),
    order: { column: options.order.field, dir: options.order.dir },
    cursorId: options.cursorId,
    take: options.take,
    short: q.length < TRIGRAM_MIN_LENGTH,
  };
}
