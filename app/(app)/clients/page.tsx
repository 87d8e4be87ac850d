import type { Metadata } from "next";
import Link from "next/link";

import { ClientStatusBadge } from "@/components/clients/client-status-badge";
import { OfferedClients } from "@/components/clients/offered-clients";
import { FilterSelect } from "@/components/ui/filter-select";
import { SearchField } from "@/components/ui/search-field";
import { formatDate } from "@/components/ui/format";
import { card, linkButton, PageHeader, secondaryLinkButton } from "@/components/ui/page-header";
import { DataTable } from "@/components/ui/data-table";
import { listClientsSchema } from "@/lib/clients/client-schemas";
import { listClients } from "@/lib/clients/list-clients";
import { listOfferedClients } from "@/lib/clients/reassign-client";
import { pageData, requirePageUser } from "@/lib/http/page";
import { can } from "@/lib/policy/authorize";

import { acceptClientReassignmentAction, declineClientReassignmentAction } from "./actions";

export const metadata: Metadata = { title: "API clients" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function ClientsPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePageUser("clients.read");
  const parsed = listClientsSchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : listClientsSchema.parse({});
  const page = await pageData(() => listClients(principal, query));
  const offers = await listOfferedClients(principal);
  return (
    <>
      <PageHeader
        title="API clients"
        description="Machine identities: a service authenticates with its client ID and secret and gets short-lived access tokens (OAuth 2.0 client credentials)."
        actions={
          can(principal, "clients.write") ? (
            <Link href="/clients/new" className={linkButton}>
              Register client
            </Link>
          ) : undefined
        }
      />
      {/* Always rendered: it keeps a just-accepted client's new secret on screen after revalidation. */}
      <OfferedClients
        offers={offers.map((offer) => ({ ...offer, since: formatDate(offer.since) }))}
        accept={acceptClientReassignmentAction}
        decline={declineClientReassignmentAction}
      />
      <form className="mb-4 flex flex-wrap items-end gap-3" aria-label="Filter clients">
        <SearchField label="Name" value={query.q} />
        <FilterSelect
          id="status"
          name="status"
          label="Status"
          value={query.status}
          options={[
            ["active", "Active"],
            ["disabled", "Disabled"],
            ["orphaned", "Needs a new owner"],
          ]}
        />
        <button type="submit" className={secondaryLinkButton}>
          Filter
        </button>
      </form>
      {page.items.length === 0 ? (
        <div className={`${card} text-center`}>
          <p className="font-medium">No API clients{query.q || query.status ? " match" : " yet"}</p>
          <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
            Register one for each service that calls an API protected by Keyward.
          </p>
        </div>
      ) : (
        <DataTable caption="API clients" columns={["Name", "Owner", "Scopes", "Status", "Last token"]}>
          {page.items.map((client) => (
            <tr key={client.id}>
              <td className="px-4 py-3">
                <Link
                  href={`/clients/${client.id}`}
                  className="font-medium text-indigo-700 hover:underline dark:text-indigo-400"
                >
                  {client.name}
                </Link>
                <span className="block font-mono text-xs text-slate-600 dark:text-slate-400">
                  {client.id}
                </span>
              </td>
              <td className="px-4 py-3">
                {client.owner?.email ?? <span className="text-slate-600 dark:text-slate-400">None</span>}
              </td>
              <td className="px-4 py-3 font-mono text-xs">
                {client.scopes.join(" ")}
                {client.apiPermissions.length > 0 && (
                  <span className="block font-sans text-slate-600 dark:text-slate-400">
                    {`+ ${client.apiPermissions.length} of other APIs`}
                    {client.apiPermissions.some((scope) => !scope.effective) &&
                      `, ${client.apiPermissions.filter((scope) => !scope.effective).length} not effective (see the client)`}
                  </span>
                )}
              </td>
              <td className="px-4 py-3">
                <ClientStatusBadge status={client.status} />
              </td>
              <td className="px-4 py-3 text-xs whitespace-nowrap">{formatDate(client.lastUsedAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {page.nextCursor && (
        <Link
          href={`/clients?${new URLSearchParams({ ...(query.q ? { q: query.q } : {}), ...(query.status ? { status: query.status } : {}), after: page.nextCursor }).toString()}`}
          className={`${secondaryLinkButton} mt-4`}
        >
          Next page
        </Link>
      )}
    </>
  );
}
