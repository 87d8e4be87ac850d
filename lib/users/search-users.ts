import { db } from "../db/client.ts";
import { Prisma } from "../db/generated/client.ts";
import { likeLiteral } from "../db/like.ts";
import type { ListUsersInput } from "./user-schemas.ts";

/** The order a search walks in (already flipped when paging backwards). */
export type SearchOrder = { field: "email" | "name" | "createdAt"; dir: "asc" | "desc" };

/** pg_trgm indexes answer a substring of three characters or more; shorter ones have no trigram. */
export const TRIGRAM_MIN_LENGTH = 3;
/**
 * Users looked at along the sort order, per row wanted, before a search of 3+ characters asks the
 * trigram index: 520 for a page of 25, 120 for the palette's 5. A search matching more than 1 in 20
 * fills its page there; a rarer one costs what reading its matches from the index costs.
 */
export const WINDOW_ROWS_PER_ROW = 20;
/** Users a search of one or two characters looks at per page (about 5 ms). */
export const SHORT_WINDOW_ROWS = 3_000;

export type SearchStrategy = "window" | "trigram" | "bounded";
export type SearchFound = { ids: string[]; resumeAt: string | null; strategy: SearchStrategy };

type Query = { input: ListUsersInput; order: SearchOrder; cursorId: string | undefined; take: number };

const COLUMN = {
  email: Prisma.raw(`u."email"`),
  name: Prisma.raw(`u."name"`),
  createdAt: Prisma.raw(`u."createdAt"`),
} as const;
const COLUMNS = Prisma.raw(`u."id", u."email", u."name", u."createdAt", u."status"`);

function orderBy(order: SearchOrder, reverse = false): Prisma.Sql {
  const dir = (order.dir === "asc") !== reverse ? Prisma.raw("ASC") : Prisma.raw("DESC");
  return Prisma.sql`${COLUMN[order.field]} ${dir}, u."id" ${dir}`;
}

/** Strictly after the cursor's row in the walking order; no row at all when the cursor names none. */
function afterCursor(order: SearchOrder, cursorId: string | undefined): Prisma.Sql {
  if (!cursorId) return Prisma.sql`TRUE`;
  const column = Prisma.raw(`"${order.field}"`);
  const cmp = Prisma.raw(order.dir === "asc" ? ">" : "<");
  return Prisma.sql`(${COLUMN[order.field]}, u."id") ${cmp} (SELECT c.${column}, c."id" FROM "User" c WHERE c."id" = ${cursorId})`;
}

/**
 * The same expressions the trigram indexes are built on (`email`, stored lower-cased, with LIKE;
 * `name` with ILIKE, which lower-cases by the database's rules, Unicode included), so the index
 * serves them. `%`, `_` and `\` in the text are literal.
 */
function matches(q: string): Prisma.Sql {
  const text = likeLiteral(q);
  return Prisma.sql`(u."email" LIKE ${`%${text.toLowerCase()}%`} OR u."name" ILIKE ${`%${text}%`})`;
}

function filters(input: ListUsersInput): Prisma.Sql {
  const and: Prisma.Sql[] = [Prisma.sql`TRUE`];
  if (input.role) {
    and.push(
      Prisma.sql`EXISTS (SELECT 1 FROM "RoleAssignment" ra WHERE ra."userId" = u."id" AND ra."roleId" = ${input.role})`,
    );
  }
  if (input.status) and.push(Prisma.sql`u."status" = ${input.status}::"UserStatus"`);
  const hasMfa = Prisma.sql`(EXISTS (SELECT 1 FROM "TotpFactor" t WHERE t."userId" = u."id" AND t."activatedAt" IS NOT NULL) OR EXISTS (SELECT 1 FROM "WebAuthnCredential" w WHERE w."userId" = u."id"))`;
  if (input.mfa === "yes") and.push(hasMfa);
  if (input.mfa === "no") and.push(Prisma.sql`NOT ${hasMfa}`);
  return Prisma.join(and, " AND ");
}

/**
 * First try: the next `rows` users along the sort order's own index, filtered. A LIMIT with no
 * condition but the cursor is an index walk whatever the statistics say, and its cost is bounded
 * by `rows`; a common search (half the users are "example.com") fills its page here.
 */
export function windowSql(query: Query, rows: number): Prisma.Sql {
  const { input, order, cursorId, take } = query;
  return Prisma.sql`WITH w AS MATERIALIZED (
    SELECT ${COLUMNS} FROM "User" u WHERE ${afterCursor(order, cursorId)} ORDER BY ${orderBy(order)} LIMIT ${rows}
  )
  SELECT (SELECT count(*)::int FROM w) AS "scanned",
         (SELECT u."id" FROM w u ORDER BY ${orderBy(order, true)} LIMIT 1) AS "lastId",
         ARRAY(SELECT u."id" FROM w u WHERE ${matches(input.q ?? "")} AND ${filters(input)}
               ORDER BY ${orderBy(order)} LIMIT ${take}) AS "ids"`;
}

/**
 * Then, for a rare search of 3+ characters: every match, from the trigram indexes, sorted. The
 * MATERIALIZED CTE has no ORDER BY and no LIMIT, so the planner has no ordering index to walk
 * "until it finds enough rows" (its failure mode when it believes matches are common): it can
 * only read the matches, through the trigram indexes, and the outer query sorts those few.
 */
export function trigramSql(query: Query): Prisma.Sql {
  const { input, order, cursorId, take } = query;
  return Prisma.sql`WITH m AS MATERIALIZED (
    SELECT ${COLUMNS} FROM "User" u WHERE ${matches(input.q ?? "")}
  )
  SELECT u."id" FROM m u WHERE ${afterCursor(order, cursorId)} AND ${filters(input)}
  ORDER BY ${orderBy(order)} LIMIT ${take}`;
}

/**
 * The ids of a search page (`input.q` set), in walking order, with at most `take` of them. A search
 * of one or two characters is bounded: when its window ends before the page fills, `resumeAt` is
 * the last user it looked at and the next page goes on from there.
 */
export async function userSearchPlan(query: Query): Promise<SearchFound> {
  const short = (query.input.q ?? "").length < TRIGRAM_MIN_LENGTH;
  const rows = short ? SHORT_WINDOW_ROWS : query.take * WINDOW_ROWS_PER_ROW;
  const [first] = await db.$queryRaw<{ scanned: number; lastId: string | null; ids: string[] }[]>(
    windowSql(query, rows),
  );
  const ids = first?.ids ?? [];
  if (ids.length >= query.take || (first?.scanned ?? 0) < rows) {
    return { ids, resumeAt: null, strategy: "window" };
  }
  if (short) return { ids, resumeAt: first?.lastId ?? null, strategy: "bounded" };
  const found = await db.$queryRaw<{ id: string }[]>(trigramSql(query));
  return { ids: found.map((row) => row.id), resumeAt: null, strategy: "trigram" };
}
