import { formatDate } from "@/components/ui/format";

type Item = { id: string; at: Date; title: string; detail: string; by: string; byYou: boolean; from: string };

/** The account's recent security events: what changed, who changed it, when and from where. */
export function SecurityActivityList({ items, days }: { items: Item[]; days: number }) {
  if (items.length === 0) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">
        No changes to how your account signs in during the last {days} days.
      </p>
    );
  }
  return (
    <ul aria-label="Recent security activity" className="divide-y divide-slate-100 dark:divide-slate-800">
      {items.map((item) => (
        <li key={item.id} className="flex flex-wrap items-baseline justify-between gap-x-4 gap-y-1 py-2">
          <div>
            <p className="font-medium">
              {item.title}
              {item.detail && (
                <span className="font-normal text-slate-600 dark:text-slate-400"> · {item.detail}</span>
              )}
            </p>
            <p className="text-xs text-slate-600 dark:text-slate-400">
              By{" "}
              <span className={item.byYou ? "" : "font-semibold text-slate-900 dark:text-slate-100"}>
                {item.by}
              </span>
              {item.from && ` · ${item.from}`}
            </p>
          </div>
          <time dateTime={item.at.toISOString()} className="text-xs text-slate-600 dark:text-slate-400">
            {formatDate(item.at)}
          </time>
        </li>
      ))}
    </ul>
  );
}
