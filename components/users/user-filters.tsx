import { selectClass } from "@/components/ui/page-header";
import type { ListUsersInput } from "@/lib/users/user-schemas";

/** A plain GET form: filters live in the URL, so they can be bookmarked and the back button works. */
export function UserFilters({
  input,
  roles,
}: {
  input: ListUsersInput;
  roles: { id: string; name: string }[];
}) {
  return (
    <form
      method="get"
      role="search"
      aria-label="Filter users"
      className="mb-4 flex flex-wrap items-end gap-3"
    >
      <div className="flex min-w-60 flex-1 flex-col gap-1">
        <label htmlFor="q" className="text-sm font-medium">
          Search
        </label>
        <input
          id="q"
          name="q"
          type="search"
          defaultValue={input.q ?? ""}
          placeholder="Email or name"
          maxLength={100}
          className="rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900"
        />
      </div>
      <Select label="Role" name="role" value={input.role} options={roles.map((r) => [r.id, r.name])} />
      <Select
        label="Status"
        name="status"
        value={input.status}
        options={[
          ["active", "Active"],
          ["invited", "Invited"],
          ["disabled", "Disabled"],
        ]}
      />
      <Select
        label="MFA"
        name="mfa"
        value={input.mfa}
        options={[
          ["yes", "Has MFA"],
          ["no", "No MFA"],
        ]}
      />
      <Select
        label="Sort by"
        name="sort"
        value={input.sort}
        all={false}
        options={[
          ["email", "Email"],
          ["name", "Name"],
          ["created", "Created"],
        ]}
      />
      <Select
        label="Order"
        name="dir"
        value={input.dir}
        all={false}
        options={[
          ["asc", "Ascending"],
          ["desc", "Descending"],
        ]}
      />
      <button
        type="submit"
        className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500"
      >
        Apply
      </button>
    </form>
  );
}

function Select({
  label,
  name,
  value,
  options,
  all = true,
}: {
  label: string;
  name: string;
  value?: string;
  options: [string, string][];
  all?: boolean;
}) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={name} className="text-sm font-medium">
        {label}
      </label>
      <select id={name} name={name} defaultValue={value ?? ""} className={selectClass}>
        {all && <option value="">All</option>}
        {options.map(([v, text]) => (
          <option key={v} value={v}>
            {text}
          </option>
        ))}
      </select>
    </div>
  );
}
