import Link from "next/link";

/** One figure of the overview: the count, large, and what it counts, the whole a link to the list behind it. */
export type RiskFigure = { href: string; label: string; count: number; hint?: string };

export function RiskFigures({ figures, label }: { figures: RiskFigure[]; label: string }) {
  if (figures.length === 0) return null;
  return (
    <ul aria-label={label} className="grid gap-2 sm:grid-cols-2">
      {figures.map((figure) => (
        <li key={figure.href}>
          <Link
            href={figure.href}
            className="flex items-baseline gap-3 rounded-lg border border-slate-200 px-3 py-2 hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-indigo-500 dark:border-slate-800 dark:hover:bg-slate-800"
          >
            <span
              className={`text-2xl font-semibold tabular-nums ${figure.count > 0 ? "text-amber-700 dark:text-amber-300" : "text-emerald-700 dark:text-emerald-300"}`}
            >
              {figure.count}
            </span>
            <span className="text-sm">
              {figure.label}
              {figure.count === 0 && <span className="sr-only"> (none)</span>}
              {figure.hint && (
                <span className="block text-xs text-slate-600 dark:text-slate-400">{figure.hint}</span>
              )}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** A share as a bar and a sentence: the bar is decoration, the sentence carries the figure. */
export function ShareBar({ part, whole, label }: { part: number; whole: number; label: string }) {
  const percent = whole === 0 ? 0 : Math.round((part / whole) * 100);
  return (
    <div className="flex flex-col gap-1">
      <p className="text-sm">
        <span className="text-3xl font-semibold tabular-nums">{percent}%</span> {label}{" "}
        <span className="text-slate-600 dark:text-slate-400">
          ({part} of {whole})
        </span>
      </p>
      <svg viewBox="0 0 100 6" preserveAspectRatio="none" className="h-2 w-full" aria-hidden="true">
        <rect width="100" height="6" rx="3" className="fill-slate-200 dark:fill-slate-700" />
        <rect width={percent} height="6" rx="3" className="fill-emerald-600 dark:fill-emerald-400" />
      </svg>
    </div>
  );
}
