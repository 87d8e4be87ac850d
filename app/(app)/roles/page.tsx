import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { FormAlert } from "@/components/ui/form-alert";
import { card, linkButton, PageHeader, secondaryLinkButton } from "@/components/ui/page-header";
import { SearchField } from "@/components/ui/search-field";
import { pageData, requirePageUser } from "@/lib/http/page";
import { can } from "@/lib/policy/authorize";
import { listRoles } from "@/lib/roles/list-roles";
import { listRolesSchema } from "@/lib/roles/role-schemas";

export const metadata: Metadata = { title: "Roles" };

export default async function RolesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const principal = await requirePageUser("roles.read");
  const params = await searchParams;
  const parsed = listRolesSchema.safeParse(params);
  const query = parsed.success ? parsed.data : listRolesSchema.parse({});
  const page = await pageData(() => listRoles(principal, query));
  const roles = page.items;
  const deleted = typeof params.deleted === "string" ? params.deleted : undefined;
  return (
    <>
      <PageHeader
        title="Roles"
        description="A role is a named set of permissions. Users get permissions only through roles."
        actions={
          <>
            <Link href="/roles/matrix" className={secondaryLinkButton}>
              Permission matrix
            </Link>
            {can(principal, "roles.write") && (
              <Link href="/roles/new" className={linkButton}>
                New role
              </Link>
            )}
          </>
        }
      />
      {deleted && (
        <div className="mb-4">
          <FormAlert tone="success">The role was deleted.</FormAlert>
        </div>
      )}
      <form className="mb-4 flex flex-wrap items-end gap-3" aria-label="Search roles" role="search">
        <SearchField label="Search roles" placeholder="Part of a role name" value={query.q} />
        <button type="submit" className={secondaryLinkButton}>
          Search
        </button>
      </form>
      {roles.length === 0 && (
        <div className={`${card} text-center`}>
          <p className="font-medium">No roles match</p>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Try another part of the name.</p>
        </div>
      )}
      <ul className="grid gap-3 sm:grid-cols-2">
        {roles.map((role) => (
          <li
            key={role.id}
            className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
          >
            <div className="flex flex-wrap items-center gap-2">
              <Link
                href={`/roles/${role.id}`}
                className="font-semibold text-indigo-700 hover:underline dark:text-indigo-400"
              >
                {role.name}
              </Link>
              {role.builtIn && <Badge>Built-in</Badge>}
              {role.requiresMfa && <Badge tone="info">Requires MFA</Badge>}
            </div>
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
              {role.description || "No description."}
            </p>
            <p className="mt-2 text-xs text-slate-600 dark:text-slate-400">
              {role.permissions.length} permission{role.permissions.length === 1 ? "" : "s"} · {role.holders}{" "}
              holder{role.holders === 1 ? "" : "s"}
            </p>
          </li>
        ))}
      </ul>
      {page.nextCursor && (
        <Link
          href={`/roles?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), after: page.nextCursor }).toString()}`}
          className={`${secondaryLinkButton} mt-4`}
        >
          Next page
        </Link>
      )}
    </>
  );
}
