import { selectClass } from "./page-header";

/**
 * A labelled select for a list's GET filter form, with "Any" (no filter) first, or another label
 * for it, or none when a choice is always made (a sort order).
 */
export function FilterSelect({
  id,
  name,
  label,
  value,
  options,
  anyLabel = "Any",
}: {
  id: string;
  name: string;
  label: string;
  value: string | undefined;
  options: readonly (readonly [value: string, label: string])[];
  anyLabel?: string | false;
}) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <select id={id} name={name} defaultValue={value ?? ""} className={selectClass}>
        {anyLabel !== false && <option value="">{anyLabel}</option>}
        {options.map(([optionValue, optionLabel]) => (
          <option key={optionValue} value={optionValue}>
            {optionLabel}
          </option>
        ))}
      </select>
    </div>
  );
}
