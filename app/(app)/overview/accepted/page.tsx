import type { Metadata } from "next";
import Link from "next/link";

import { ActionForm, ConfirmSubmit } from "@/components/ui/action-form";
import { DataTable } from "@/components/ui/data-table";
import { formatDate } from "@/components/ui/format";
import { card, PageHeader, secondaryLinkButton } from "@/components/ui/page-header";
import { pageData, requirePageUser } from "@/lib/http/page";
import { listAcceptedRisks } from "@/lib/remedies/accept-risk";
import { listAcceptedRisksSchema } from "@/lib/remedies/remedy-schemas";
import { can } from "@/lib/policy/authorize";

import { withdrawAcceptanceAction } from "../actions";

export const metadata: Metadata = { title: "Accepted risks" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const WRITE = { user: "users.write", token: "tokens.write", client: "clients.write" } as const;

const ENDED = { expired: "Came back", withdrawn: "Withdrawn", replaced: "Replaced" } as const;

export default async function AcceptedRisksPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePageUser();
  const parsed = listAcceptedRisksSchema.safeParse(await searchParams);
  const query = parsed.success ? parsed.data : listAcceptedRisksSchema.parse({});
  const page = await pageData(() => listAcceptedRisks({ actor: principal, ...query }));
  const all = query.includeEnded;
  return (
    <>
      <PageHeader
        title="Accepted risks"
        description="Items someone decided to live with, each with a reason and a date. It leaves its list until then and comes back after; both are in the audit log."
        breadcrumbs={[{ label: "Overview", href: "/overview" }, { label: "Accepted risks" }]}
        actions={
          <Link
            href={all ? "/overview/accepted" : "/overview/accepted?includeEnded=true"}
            className={secondaryLinkButton}
          >
            {all ? "Only those in force" : "Include ended ones"}
          </Link>
        }
      />
      {page.items.length === 0 ? (
        <p className={card}>
          {all ? "No risk has been accepted yet." : "No accepted risk is in force."} Accept one from a list on
          the{" "}
          <Link href="/overview" className="text-indigo-700 underline dark:text-indigo-300">
            overview
          </Link>
          .
        </p>
      ) : (
        <DataTable
          caption="Accepted risks"
          columns={[
            "Item",
            "List",
            "Reason",
            "Accepted by",
            "Until",
            "Status",
            { label: "Actions", hidden: true },
          ]}
        >
          {page.items.map((item) => (
            <tr key={item.id}>
              <td className="px-4 py-3 font-medium">{item.targetName ?? "(deleted)"}</td>
              <td className="px-4 py-3">
                <Link
                  href={`/overview/risks/${item.risk}`}
                  className="text-indigo-700 hover:underline dark:text-indigo-300"
                >
                  {item.label}
                </Link>
              </td>
              <td className="px-4 py-3">{item.reason}</td>
              <td className="px-4 py-3">
                {item.acceptedBy.display}, {formatDate(item.acceptedAt)}
              </td>
              <td className="px-4 py-3 whitespace-nowrap">{formatDate(item.until)}</td>
              <td className="px-4 py-3">
                {item.ended ? `${ENDED[item.ended.how]} ${formatDate(item.ended.at)}` : "In force"}
              </td>
              <td className="px-4 py-3">
                {!item.ended && can(principal, WRITE[item.targetKind]) && (
                  <ActionForm
                    action={withdrawAcceptanceAction}
                    hidden={{ id: item.id }}
                    label={`Withdraw the acceptance of ${item.targetName ?? item.targetId}`}
                  >
                    <ConfirmSubmit
                      label="Withdraw"
                      title="Withdraw this acceptance?"
                      body="The item is back on its list at once."
                      confirmLabel="Withdraw acceptance"
                    />
                  </ActionForm>
                )}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {page.nextCursor && (
        <Link
          href={`/overview/accepted?${all ? "includeEnded=true&" : ""}after=${page.nextCursor}`}
          className={`${secondaryLinkButton} mt-4 self-start`}
        >
          Next page
        </Link>
      )}
    </>
  );
}
