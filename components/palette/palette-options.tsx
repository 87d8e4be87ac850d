import type { SearchHit } from "@/lib/search/search-schemas";

export type PaletteGroup = { kind: string; label: string; hits: SearchHit[] };

/**
 * The listbox of grouped options. Options are never focused: the combobox keeps focus and points
 * at the active one with aria-activedescendant, so typing and arrow keys work together.
 */
export function PaletteOptions({
  id,
  groups,
  activeIndex,
  optionId,
  onPick,
  onHover,
}: {
  id: string;
  groups: PaletteGroup[];
  activeIndex: number;
  optionId: (index: number) => string;
  onPick: (hit: SearchHit) => void;
  onHover: (index: number) => void;
}) {
  // Each option's place in the flat order the arrow keys walk.
  const starts = groups.map((_, at) =>
    groups.slice(0, at).reduce((sum, group) => sum + group.hits.length, 0),
  );
  return (
    <div role="listbox" id={id} aria-label="Results" className="overflow-y-auto px-2 pb-2">
      {groups.map((group, groupAt) => (
        <div key={group.kind} role="group" aria-label={group.label}>
          <div
            aria-hidden="true"
            className="px-2 pt-3 pb-1 text-xs font-semibold tracking-wide text-slate-500 uppercase dark:text-slate-400"
          >
            {group.label}
          </div>
          {group.hits.map((hit, hitAt) => {
            const at = (starts[groupAt] ?? 0) + hitAt;
            return (
              <div
                key={`${group.kind}:${hit.id}`}
                id={optionId(at)}
                role="option"
                aria-selected={at === activeIndex}
                // Keep focus in the combobox when an option is clicked or tapped.
                onMouseDown={(event) => event.preventDefault()}
                onMouseMove={() => onHover(at)}
                onClick={() => onPick(hit)}
                className="group cursor-pointer rounded-md px-2 py-2 text-slate-900 aria-selected:bg-indigo-600 aria-selected:text-white dark:text-slate-100"
              >
                <span className="block truncate text-sm font-medium">{hit.label}</span>
                <span className="block truncate text-xs text-slate-600 group-aria-selected:text-indigo-100 dark:text-slate-400 dark:group-aria-selected:text-indigo-100">
                  {hit.detail}
                </span>
              </div>
            );
          })}
        </div>
      ))}
    </div>
  );
}
