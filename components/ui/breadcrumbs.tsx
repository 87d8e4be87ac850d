import Link from "next/link";

/** One step of the trail; the last one is the page itself and has no link. */
export type Crumb = { label: string; href?: string };

/**
 * Where a detail page sits: "Users › Ada Lovelace". The separators are hidden from assistive
 * technology, which reads a plain ordered list ending on the current page.
 */
export function Breadcrumbs({ items }: { items: Crumb[] }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-2 text-sm">
      <ol className="flex flex-wrap items-center gap-x-2 gap-y-1 text-slate-600 dark:text-slate-400">
        {items.map((item, index) => {
          const last = index === items.length - 1;
          return (
            <li key={`${index}-${item.label}`} className="flex min-w-0 items-center gap-2">
              {index > 0 && (
                <span aria-hidden="true" className="text-slate-400 dark:text-slate-500">
                  ›
                </span>
              )}
              {last || !item.href ? (
                <span
                  aria-current={last ? "page" : undefined}
                  className="truncate text-slate-900 dark:text-slate-100"
                >
                  {item.label}
                </span>
              ) : (
                <Link
                  href={item.href}
                  className="inline-flex min-h-11 items-center rounded text-indigo-700 underline underline-offset-2 sm:min-h-0 dark:text-indigo-400"
                >
                  {item.label}
                </Link>
              )}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
