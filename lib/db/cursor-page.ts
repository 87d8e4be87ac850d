/**
 * One page of a list read with `take: limit + 1`: the extra row only says whether there is a next
 * page, whose cursor is the last row shown.
 */
export function cursorPage<R extends { id: string | bigint }, V>(
  rows: R[],
  limit: number,
  view: (row: R) => V,
): { items: V[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return { items: page.map(view), nextCursor: rows.length > limit && last ? String(last.id) : null };
}
