import { ScrollRegion } from "./scroll-region";

/** One row of a FigureTable: its heading cell (a label, maybe a link) and its figures. */
export type FigureRow = { key: string; heading: React.ReactNode; cells: React.ReactNode[] };

/**
 * A small table of figures inside a card: a caption for screen readers, column headings, each
 * row headed by its label (so a screen reader names the row with each figure), numbers in
 * tabular figures; it scrolls sideways on a phone and can be scrolled by keyboard.
 */
export function FigureTable({
  caption,
  columns,
  rows,
  className = "",
}: {
  caption: string;
  columns: string[];
  rows: FigureRow[];
  className?: string;
}) {
  return (
    <ScrollRegion label={caption} className={className}>
      <table className="w-full text-left text-sm">
        <caption className="sr-only">{caption}</caption>
        <thead className="text-xs text-slate-600 uppercase dark:text-slate-400">
          <tr>
            {columns.map((column, i) => (
              <th key={column} scope="col" className={`py-1 ${i < columns.length - 1 ? "pr-4" : ""}`}>
                {column}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {rows.map((row) => (
            <tr key={row.key}>
              <th scope="row" className="py-1 pr-4 font-normal">
                {row.heading}
              </th>
              {row.cells.map((cell, i) => (
                <td key={i} className={`py-1 tabular-nums ${i < row.cells.length - 1 ? "pr-4" : ""}`}>
                  {cell}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
