import type { Metadata } from "next";
import Link from "next/link";

import { ApiStatusBadges } from "@/components/apis/api-status-badge";
import { DataTable } from "@/components/ui/data-table";
import { card, linkButton, PageHeader, secondaryLinkButton } from "@/components/ui/page-header";
import { SearchField } from "@/components/ui/search-field";
import { credentialCounts } from "@/lib/apis/api-inventory";
import { listApisSchema } from "@/lib/apis/api-schemas";
import { listApis } from "@/lib/apis/list-apis";
import { pageData, requirePageUser } from "@/lib/http/page";
import { can } from "@/lib/policy/authorize";

export async function generateMetadata(): Promise<Metadata> {
  return { title: "APIs" };
}

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const WHAT_AN_API_IS =
  "An API here is one of your organization's services that trusts Keyward's tokens: its identifier is the audience (aud) of the tokens issued for it, and its permissions are what roles grant and tokens and clients carry.";

export default async function ApisPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePageUser("apis.read");
  const parsed = listApisSchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : listApisSchema.parse({});
  const page = await pageData(() =>
    listApis({ actor: principal, query: query.q, cursor: query.after, limit: query.limit }),
  );
  const held = await credentialCounts(page.items.map((api) => api.id));
  const mayRegister = can(principal, "apis.write");
  const register = mayRegister ? (
    <Link href="/apis/new" className={linkButton}>
      Register an API
    </Link>
  ) : undefined;
  const onlyBuiltIn = !query.q && !query.after && page.items.every((api) => api.builtIn);
  return (
    <>
      <PageHeader
        title="APIs"
        description="The inventory of protected APIs: each with its audience, owner, permissions and the credentials holding them."
        actions={register}
      />
      {onlyBuiltIn && (
        <div className={`${card} mb-4`}>
          <p className="font-medium">No APIs of your own yet</p>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{WHAT_AN_API_IS}</p>
          {!mayRegister && (
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
              Ask an administrator to register one.
            </p>
          )}
        </div>
      )}
      <form className="mb-4 flex flex-wrap items-end gap-3" aria-label="Search APIs" role="search">
        <SearchField label="Name or identifier" value={query.q} />
        <button type="submit" className={secondaryLinkButton}>
          Search
        </button>
      </form>
      {page.items.length === 0 ? (
        <div className={`${card} text-center`}>
          <p className="font-medium">No APIs {query.q ? "match" : "yet"}</p>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{WHAT_AN_API_IS}</p>
          {register && <div className="mt-4">{register}</div>}
        </div>
      ) : (
        <DataTable
          caption="APIs"
          columns={["Name", "Identifier", "Owner", "Status", "Permissions", "Credentials"]}
        >
          {page.items.map((api) => (
            <tr key={api.id}>
              <td className="px-4 py-3">
                <Link
                  href={`/apis/${api.id}`}
                  className="font-medium text-indigo-700 hover:underline dark:text-indigo-400"
                >
                  {api.name}
                </Link>
              </td>
              <td className="px-4 py-3 font-mono text-xs break-all">{api.identifier}</td>
              <td className="px-4 py-3">
                {api.owner?.email ?? <span className="text-slate-600 dark:text-slate-400">None</span>}
              </td>
              <td className="px-4 py-3">
                <ApiStatusBadges disabled={api.disabled} builtIn={api.builtIn} />
              </td>
              <td className="px-4 py-3 tabular-nums">{api.permissionCount}</td>
              <td className="px-4 py-3 tabular-nums">{held.get(api.id) ?? 0}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {page.nextCursor && (
        <Link
          href={`/apis?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), after: page.nextCursor }).toString()}`}
          className={`${secondaryLinkButton} mt-4`}
        >
          Next page
        </Link>
      )}
    </>
  );
}
