import type { Metadata } from "next";
import Link from "next/link";

import { FormAlert } from "@/components/ui/form-alert";
import { linkButton, PageHeader, secondaryLinkButton } from "@/components/ui/page-header";
import { UserFilters } from "@/components/users/user-filters";
import { UsersTable } from "@/components/users/users-table";
import { requirePageUser } from "@/lib/http/page";
import { can } from "@/lib/policy/authorize";
import { roleOptions } from "@/lib/roles/list-roles";
import { listUsers } from "@/lib/users/list-users";
import { listUsersSchema } from "@/lib/users/user-schemas";

export const metadata: Metadata = { title: "Users" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function UsersPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePageUser("users.read");
  const raw = Object.fromEntries(
    Object.entries(await searchParams).filter((e): e is [string, string] => typeof e[1] === "string"),
  );
  const parsed = listUsersSchema.safeParse(raw);
  const input = parsed.success ? parsed.data : listUsersSchema.parse({});
  const [page, roles] = await Promise.all([
    listUsers(principal, input),
    can(principal, "roles.read") ? roleOptions(principal) : [],
  ]);
  const filtered = Boolean(input.q || input.role || input.status || input.mfa);

  const pageLink = (cursor: { after?: string; before?: string }) => {
    const params = new URLSearchParams();
    for (const key of ["q", "role", "status", "mfa", "sort", "dir"] as const) {
      const value = input[key];
      if (value) params.set(key, value);
    }
    for (const [key, value] of Object.entries(cursor)) if (value) params.set(key, value);
    return `/users?${params}`;
  };

  return (
    <>
      <PageHeader
        title="Users"
        description="Everyone who can sign in to Keyward, and what they may do."
        actions={
          can(principal, "users.write") && (
            <Link href="/users/invite" className={linkButton}>
              Invite user
            </Link>
          )
        }
      />
      {raw.deleted && <FormAlert tone="success">The user was deleted.</FormAlert>}
      {!parsed.success && (
        <FormAlert>
          {parsed.error.issues[0]?.message ?? "Those filters are not valid."} Showing everyone instead.
        </FormAlert>
      )}
      <UserFilters input={input} roles={roles} />
      {page.items.length === 0 ? (
        <div className="rounded-xl border border-dashed border-slate-300 p-8 text-center dark:border-slate-700">
          <p className="font-medium">{filtered ? "No users match these filters." : "No users yet."}</p>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            {filtered ? (
              <Link href="/users" className="underline">
                Clear the filters
              </Link>
            ) : (
              "Invite someone to get started."
            )}
          </p>
        </div>
      ) : (
        <UsersTable users={page.items} />
      )}
      <nav aria-label="Pages" className="mt-4 flex justify-between">
        {page.prevCursor ? (
          <Link href={pageLink({ before: page.prevCursor })} className={secondaryLinkButton}>
            Previous page
          </Link>
        ) : (
          <span />
        )}
        {page.nextCursor && (
          <Link href={pageLink({ after: page.nextCursor })} className={secondaryLinkButton}>
            Next page
          </Link>
        )}
      </nav>
    </>
  );
}
