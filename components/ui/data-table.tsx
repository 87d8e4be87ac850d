/**
 * A card-framed table with a caption for screen readers and one header row; it scrolls sideways on
 * narrow screens. Rows are the caller's `<tr>`s. A column heading may be visually hidden (actions).
 */
export function DataTable({
  caption,
  columns,
  children,
}: {
  caption: string;
  columns: (string | { label: string; hidden: true })[];
  children: React.ReactNode;
}) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="border-b border-slate-200 text-xs text-slate-600 uppercase dark:border-slate-800 dark:text-slate-400">
          <tr>
            {columns.map((column) => {
              const label = typeof column === "string" ? column : column.label;
              return (
                <th key={label} scope="col" className="px-4 py-3">
                  {typeof column === "string" ? column : <span className="sr-only">{label}</span>}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">{children}</tbody>
      </table>
    </div>
  );
}
