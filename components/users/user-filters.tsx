import { FilterSelect } from "@/components/ui/filter-select";
import { SearchField } from "@/components/ui/search-field";
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
      <SearchField label="Search" value={input.q} placeholder="Email or name" className="min-w-60 flex-1" />
      <FilterSelect
        id="role"
        name="role"
        label="Role"
        anyLabel="All"
        value={input.role}
        options={roles.map((r) => [r.id, r.name] as const)}
      />
      <FilterSelect
        id="status"
        label="Status"
        name="status"
        anyLabel="All"
        value={input.status}
        options={[
          ["active", "Active"],
          ["invited", "Invited"],
          ["disabled", "Disabled"],
        ]}
      />
      <FilterSelect
        id="mfa"
        label="MFA"
        name="mfa"
        anyLabel="All"
        value={input.mfa}
        options={[
          ["yes", "Has MFA"],
          ["no", "No MFA"],
        ]}
      />
      <FilterSelect
        id="sort"
        label="Sort by"
        name="sort"
        anyLabel={false}
        value={input.sort}
        options={[
          ["email", "Email"],
          ["name", "Name"],
          ["created", "Created"],
        ]}
      />
      <FilterSelect
        id="dir"
        label="Order"
        name="dir"
        anyLabel={false}
        value={input.dir}
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
