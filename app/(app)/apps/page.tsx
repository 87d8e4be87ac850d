import type { Metadata } from "next";
import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { card, linkButton, PageHeader, secondaryLinkButton } from "@/components/ui/page-header";
import { SearchField } from "@/components/ui/search-field";
import { APP_KIND_LABELS, listAppsSchema } from "@/lib/apps/app-schemas";
import { listApps } from "@/lib/apps/list-apps";
import { pageData, requirePageUser } from "@/lib/http/page";
import { can } from "@/lib/policy/authorize";

export const metadata: Metadata = { title: "Applications" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const muted = "text-slate-600 dark:text-slate-400";

const WHAT_AN_APP_IS =
  "An application is one of your organization's apps whose users sign in through Keyward with OpenID Connect: Keyward checks their password and second factor, then sends them back to the app.";

export default async function AppsPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePageUser("apps.read");
  const parsed = listAppsSchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : listAppsSchema.parse({});
  const page = await pageData(() => listApps(principal, query));
  const register = can(principal, "apps.write") ? (
    <Link href="/apps/new" className={linkButton}>
      Register an application
    </Link>
  ) : undefined;
  return (
    <>
      <PageHeader
        title="Applications"
        description="The apps that sign your users in through Keyward, and what each may ask for."
        actions={register}
      />
      <p className={`mb-4 text-sm ${muted}`}>
        Signing in to these apps through Keyward (OpenID Connect) is not available yet: what you register now
        is kept, and signs users in once this version of Keyward offers it.
      </p>
      <form className="mb-4 flex flex-wrap items-end gap-3" aria-label="Search applications" role="search">
        <SearchField label="Search applications" placeholder="Part of a name" value={query.q} />
        <button type="submit" className={secondaryLinkButton}>
          Search
        </button>
      </form>
      {page.items.length === 0 ? (
        <div className={`${card} text-center`}>
          <p className="font-medium">No applications {query.q ? "match" : "yet"}</p>
          <p className={`mt-1 text-sm ${muted}`}>{WHAT_AN_APP_IS}</p>
          {register && !query.q && <div className="mt-4">{register}</div>}
        </div>
      ) : (
        <DataTable caption="Applications" columns={["Name", "Kind", "Owner", "Status", "Redirect URIs"]}>
          {page.items.map((app) => (
            <tr key={app.id}>
              <td className="px-4 py-3">
                <Link
                  href={`/apps/${app.id}`}
                  className="font-medium text-indigo-700 hover:underline dark:text-indigo-400"
                >
                  {app.name}
                </Link>
              </td>
              <td className="px-4 py-3">{APP_KIND_LABELS[app.kind].split(" (")[0]}</td>
              <td className="px-4 py-3">{app.owner?.email ?? <span className={muted}>None</span>}</td>
              <td className="px-4 py-3">
                <span className="flex flex-wrap gap-1">
                  {app.disabled ? <Badge tone="bad">Disabled</Badge> : <Badge tone="good">Active</Badge>}
                  {app.firstParty && <Badge tone="info">First-party</Badge>}
                </span>
              </td>
              <td className="px-4 py-3 tabular-nums">{app.redirectUriCount}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {page.nextCursor && (
        <Link
          href={`/apps?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), after: page.nextCursor })}`}
          className={`${secondaryLinkButton} mt-4`}
        >
          Next page
        </Link>
      )}
    </>
  );
}
