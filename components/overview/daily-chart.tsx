import { FigureTable } from "@/components/ui/figure-table";

/**
 * A server-rendered chart of daily figures: bars for the first series, a dashed line with square
 * markers for the second, so they differ by shape and not by colour alone. Plain SVG with
 * presentation attributes and classes (the nonce CSP refuses inline `style`), a text summary for
 * screen readers, and the same figures as a table under a disclosure.
 */
export type ChartSeries = { label: string; values: number[] };

const WIDTH = 640;
const HEIGHT = 200;
const PAD = { top: 12, right: 8, bottom: 28, left: 40 };

function niceMax(value: number): number {
  if (value <= 4) return 4;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * power).find((m) => m * 4 >= value) ?? value;
  return step * 4;
}

const shortDay = (day: string) => day.slice(5);

export function DailyChart({
  id,
  title,
  days,
  bars,
  line,
  unit,
}: {
  id: string;
  title: string;
  days: string[];
  bars: ChartSeries;
  line?: ChartSeries;
  /** How a value reads in the summary, e.g. "sign-ins". */
  unit?: string;
}) {
  const max = niceMax(Math.max(1, ...bars.values, ...(line?.values ?? [])));
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const slot = innerW / Math.max(1, days.length);
  const y = (value: number) => PAD.top + innerH - (value / max) * innerH;
  const x = (i: number) => PAD.left + i * slot;
  const ticks = [0, 1, 2, 3, 4].map((i) => (max / 4) * i);
  const total = (series: ChartSeries) => series.values.reduce((sum, v) => sum + v, 0);
  const summary =
    `${title}, ${days.length} days from ${days[0] ?? ""} to ${days.at(-1) ?? ""}: ` +
    `${bars.label} ${total(bars)} in all, at most ${Math.max(0, ...bars.values)} a day` +
    (line ? `; ${line.label} ${total(line)} in all, at most ${Math.max(0, ...line.values)} a day` : "") +
    (unit ? ` (${unit})` : "") +
    ".";
  const linePoints = line?.values.map((v, i) => `${x(i) + slot / 2},${y(v)}`).join(" ");
  return (
    <figure aria-labelledby={`${id}-title`} className="flex flex-col gap-2">
      <figcaption id={`${id}-title`} className="text-sm font-medium">
        {title}
      </figcaption>
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        className="h-auto w-full text-slate-500 dark:text-slate-400"
      >
        <desc id={`${id}-desc`}>{summary}</desc>
        {ticks.map((tick) => (
          <g key={tick}>
            <line
              x1={PAD.left}
              x2={WIDTH - PAD.right}
              y1={y(tick)}
              y2={y(tick)}
              className="stroke-slate-200 dark:stroke-slate-700"
              strokeWidth={1}
            />
            <text x={PAD.left - 6} y={y(tick) + 4} textAnchor="end" className="fill-current text-[10px]">
              {Number.isInteger(tick) ? tick : tick.toFixed(1)}
            </text>
          </g>
        ))}
        {bars.values.map((value, i) => (
          <rect
            key={days[i]}
            x={x(i) + slot * 0.15}
            y={y(value)}
            width={slot * 0.7}
            height={Math.max(0, PAD.top + innerH - y(value))}
            className="fill-indigo-500 dark:fill-indigo-400"
          >
            <title>{`${days[i] ?? ""}: ${value} ${bars.label}`}</title>
          </rect>
        ))}
        {line && linePoints && (
          <g>
            <polyline
              points={linePoints}
              fill="none"
              strokeWidth={2}
              strokeDasharray="6 4"
              className="stroke-rose-600 dark:stroke-rose-400"
            />
            {line.values.map((value, i) => (
              <rect
                key={days[i]}
                x={x(i) + slot / 2 - 3}
                y={y(value) - 3}
                width={6}
                height={6}
                className="fill-rose-600 dark:fill-rose-400"
              >
                <title>{`${days[i] ?? ""}: ${value} ${line.label}`}</title>
              </rect>
            ))}
          </g>
        )}
        {days.map((day, i) =>
          i % 5 === 0 || i === days.length - 1 ? (
            <text
              key={day}
              x={x(i) + slot / 2}
              y={HEIGHT - 8}
              textAnchor="middle"
              className="fill-current text-[10px]"
            >
              {shortDay(day)}
            </text>
          ) : null,
        )}
      </svg>
      <ul className="flex flex-wrap gap-4 text-xs text-slate-600 dark:text-slate-400" aria-label="Legend">
        <li className="flex items-center gap-1">
          <svg width="14" height="10" aria-hidden="true">
            <rect width="14" height="10" className="fill-indigo-500 dark:fill-indigo-400" />
          </svg>
          {bars.label} (bars)
        </li>
        {line && (
          <li className="flex items-center gap-1">
            <svg width="22" height="10" aria-hidden="true">
              <line
                x1="0"
                x2="22"
                y1="5"
                y2="5"
                strokeWidth={2}
                strokeDasharray="6 4"
                className="stroke-rose-600 dark:stroke-rose-400"
              />
              <rect x="8" y="2" width="6" height="6" className="fill-rose-600 dark:fill-rose-400" />
            </svg>
            {line.label} (dashed line)
          </li>
        )}
      </ul>
      <details className="text-sm">
        <summary className="cursor-pointer rounded text-indigo-700 hover:underline focus-visible:outline-2 focus-visible:outline-indigo-500 dark:text-indigo-300">
          {title}: show as a table
        </summary>
        <FigureTable
          caption={title}
          className="mt-2 max-h-64 overflow-y-auto"
          columns={["Day", bars.label, ...(line ? [line.label] : [])]}
          rows={days.map((day, i) => ({
            key: day,
            heading: day,
            cells: [bars.values[i], ...(line ? [line.values[i]] : [])],
          }))}
        />
      </details>
    </figure>
  );
}
