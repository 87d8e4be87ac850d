import type { NavLink } from "../policy/navigation.ts";
import type { SearchHit } from "./search-schemas.ts";

/**
 * The pages whose title contains the query, case-insensitively, those starting with it first.
 * Pure, so that the palette shows page matches at once in the browser and the server answers the same.
 */
export function matchPages(pages: readonly NavLink[], q: string): SearchHit[] {
  const needle = q.trim().toLocaleLowerCase();
  if (!needle) return [];
  const hits = pages.filter((page) => page.label.toLocaleLowerCase().includes(needle));
  const starts = (page: NavLink) => (page.label.toLocaleLowerCase().startsWith(needle) ? 0 : 1);
  return hits
    .map((page, index) => ({ page, index }))
    .sort((a, b) => starts(a.page) - starts(b.page) || a.index - b.index)
    .map(({ page }) => ({ id: page.href, label: page.label, detail: page.href, href: page.href }));
}
