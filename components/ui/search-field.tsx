/** The free-text search box of a list's GET filter form (the `q` of its query). */
export function SearchField({
  label,
  value,
  placeholder,
  className = "",
}: {
  label: string;
  value: string | undefined;
  placeholder?: string;
  className?: string;
}) {
  return (
    <div className={`flex flex-col gap-1 ${className}`}>
      <label htmlFor="q" className="text-sm font-medium">
        {label}
      </label>
      <input
        id="q"
        name="q"
        type="search"
        defaultValue={value ?? ""}
        placeholder={placeholder}
        maxLength={100}
        className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900"
      />
    </div>
  );
}
