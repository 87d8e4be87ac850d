import { FilterSelect } from "@/components/ui/filter-select";
import { secondaryLinkButton } from "@/components/ui/page-header";
import { AUDIT_ACTIONS } from "@/lib/audit/actions";

const input =
  "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900";

export type AuditFilterValues = Partial<
  Record<"actor" | "target" | "action" | "outcome" | "from" | "to", string>
>;

/** A plain GET form: the filters live in the URL, so a filtered view can be bookmarked and shared. */
export function AuditFilters({
  values,
  errors,
}: {
  values: AuditFilterValues;
  errors: Record<string, string>;
}) {
  const field = (name: keyof AuditFilterValues, label: string, type = "text", hint?: string) => (
    <div className="flex flex-col gap-1">
      <label htmlFor={`audit-${name}`} className="text-sm font-medium">
        {label}
      </label>
      <input
        id={`audit-${name}`}
        name={name}
        type={type}
        defaultValue={values[name] ?? ""}
        className={input}
        aria-invalid={errors[name] ? true : undefined}
        aria-describedby={errors[name] || hint ? `audit-${name}-note` : undefined}
      />
      {(errors[name] ?? hint) && (
        <p
          id={`audit-${name}-note`}
          className={`text-xs ${errors[name] ? "text-red-700 dark:text-red-400" : "text-slate-600 dark:text-slate-400"}`}
        >
          {errors[name] ?? hint}
        </p>
      )}
    </div>
  );
  return (
    <form aria-label="Filter events" className="mb-4 flex flex-wrap items-start gap-3">
      {field("actor", "Actor id", "text", "A user, token or client id")}
      {field("target", "Target id")}
      <FilterSelect
        id="audit-action"
        name="action"
        label="Action"
        value={values.action}
        options={AUDIT_ACTIONS.map((action) => [action, action] as const)}
      />
      <FilterSelect
        id="audit-outcome"
        name="outcome"
        label="Outcome"
        value={values.outcome}
        options={[
          ["success", "Success"],
          ["failure", "Failure"],
          ["denied", "Denied"],
        ]}
      />
      {field("from", "From (UTC)", "datetime-local")}
      {field("to", "To (UTC)", "datetime-local")}
      <button type="submit" className={`${secondaryLinkButton} mt-6`}>
        Filter
      </button>
    </form>
  );
}
