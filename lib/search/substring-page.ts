import { db } from "../db/client.ts";
import { Prisma } from "../db/generated/client.ts";

/** pg_trgm indexes answer a substring of three characters or more; shorter ones have no trigram. */
export const TRIGRAM_MIN_LENGTH = 3;
/**
 * Rows looked at along the sort order, per row wanted, before a search of 3+ characters asks the
 * trigram index: 520 for a page of 25, 120 for the palette's 5. A search matching more than 1 in 20
 * fills its page there; a rarer one costs what reading its matches from the index costs.
 */
export const WINDOW_ROWS_PER_ROW = 20;
/** Rows a search of one or two characters looks at per page (a few milliseconds). */
export const SHORT_WINDOW_ROWS = 3_000;

export type SearchStrategy = "window" | "trigram" | "bounded";
/** The page's ids in walking order (at most `take`), and where a bounded walk stopped. */
export type SearchFound = { ids: string[]; resumeAt: string | null; strategy: SearchStrategy };

/**
 * A substring search of one table, its row aliased `t` in `match` and `filters`. `match` must be
 * the very expressions the table's trigram indexes are built on (e.g. `t."name" ILIKE …`).
 */
export type SubstringQuery = {
  table: string;
  /** What `filters` and the order read, besides "id". */
  columns: readonly string[];
  match: Prisma.Sql;
  filters: Prisma.Sql;
  /** Walking order (already flipped when paging backwards), with the id as the tie-break. */
  order: { column: string; dir: "asc" | "desc" };
  cursorId: string | undefined;
  take: number;
  /** One or two characters: no trigram to look up, so the search is bounded instead. */
  short: boolean;
};

const ident = (name: string) => Prisma.raw(`"${name.replace(/"/g, '""')}"`);

function columns(query: SubstringQuery): Prisma.Sql {
  const names = ["id", ...query.columns.filter((c) => c !== "id")];
  return Prisma.join(
    names.map((c) => Prisma.sql`t.${ident(c)}`),
    ", ",
  );
}

function orderBy(query: SubstringQuery, reverse = false): Prisma.Sql {
  const dir = Prisma.raw((query.order.dir === "asc") !== reverse ? "ASC" : "DESC");
  return Prisma.sql`t.${ident(query.order.column)} ${dir}, t."id" ${dir}`;
}

/** Strictly after the cursor's row in the walking order; no row at all when the cursor names none. */
function afterCursor(query: SubstringQuery): Prisma.Sql {
  if (!query.cursorId) return Prisma.sql`TRUE`;
  const column = ident(query.order.column);
  const cmp = Prisma.raw(query.order.dir === "asc" ? ">" : "<");
  return Prisma.sql`(t.${column}, t."id") ${cmp} (SELECT c.${column}, c."id" FROM ${ident(query.table)} c WHERE c."id" = ${query.cursorId})`;
}

/**
 * First try: the next `rows` rows along the sort order's own index, filtered. A LIMIT with no
 * condition but the cursor is an index walk whatever the statistics say, and its cost is bounded
 * by `rows`; a common search fills its page here.
 */
export function windowSql(query: SubstringQuery, rows: number): Prisma.Sql {
  return Prisma.sql`WITH w AS MATERIALIZED (
    SELECT ${columns(query)} FROM ${ident(query.table)} t WHERE ${afterCursor(query)}
    ORDER BY ${orderBy(query)} LIMIT ${rows}
  )
  SELECT (SELECT count(*)::int FROM w) AS "scanned",
         (SELECT t."id" FROM w t ORDER BY ${orderBy(query, true)} LIMIT 1) AS "lastId",
         ARRAY(SELECT t."id" FROM w t WHERE ${query.match} AND ${query.filters}
               ORDER BY ${orderBy(query)} LIMIT ${query.take}) AS "ids"`;
}

/**
 * Then, for a rarer search of 3+ characters: every match, from the trigram indexes, sorted. The
 * MATERIALIZED CTE has no ORDER BY and no LIMIT, so the planner has no ordering index to walk
 * "until it finds enough rows" (its failure mode when it believes matches are common): it can only
 * read the matches, through the trigram indexes, and the outer query sorts those.
 */
export function trigramSql(query: SubstringQuery): Prisma.Sql {
  return Prisma.sql`WITH m AS MATERIALIZED (
    SELECT ${columns(query)} FROM ${ident(query.table)} t WHERE ${query.match}
  )
  SELECT t."id" FROM m t WHERE ${afterCursor(query)} AND ${query.filters}
  ORDER BY ${orderBy(query)} LIMIT ${query.take}`;
}

/**
 * The ids of one page of a substring search, with a plan that does not depend on the planner's
 * statistics. A search of one or two characters is bounded: when its window ends before the page
 * fills, `resumeAt` is the last row it looked at, and the next page goes on from there.
 */
export async function substringPage(query: SubstringQuery): Promise<SearchFound> {
  const rows = query.short ? SHORT_WINDOW_ROWS : query.take * WINDOW_ROWS_PER_ROW;
  const [first] = await db.$queryRaw<{ scanned: number; lastId: string | null; ids: string[] }[]>(
    windowSql(query, rows),
  );
  const ids = first?.ids ?? [];
  if (ids.length >= query.take || (first?.scanned ?? 0) < rows) {
    return { ids, resumeAt: null, strategy: "window" };
  }
  if (query.short) return { ids, resumeAt: first?.lastId ?? null, strategy: "bounded" };
  const found = await db.$queryRaw<{ id: string }[]>(trigramSql(query));
  return { ids: found.map((row) => row.id), resumeAt: null, strategy: "trigram" };
}

/** Rows loaded by id (with whatever relations), put back in the order of `ids`. */
export function inOrder<R extends { id: string }>(ids: string[], rows: R[]): R[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
