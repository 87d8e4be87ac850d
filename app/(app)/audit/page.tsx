import type { Metadata } from "next";
import Link from "next/link";

import { AuditFilters, type AuditFilterValues } from "@/components/audit/audit-filters";
import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { formatDate } from "@/components/ui/format";
import { card, PageHeader, secondaryLinkButton } from "@/components/ui/page-header";
import { listAuditEventsSchema } from "@/lib/audit/audit-schemas";
import { listAuditEvents } from "@/lib/audit/list-events";
import { pageData, requirePageUser } from "@/lib/http/page";

import { verifyAuditLogAction } from "./actions";

export const metadata: Metadata = { title: "Audit log" };

const OUTCOME_TONE = { success: "good", failure: "warn", denied: "bad" } as const;
const FILTERS = ["actor", "target", "action", "outcome", "from", "to"] as const;

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function AuditPage({ searchParams }: { searchParams: SearchParams }) {
  const principal = await requirePageUser("audit.read");
  const raw = await searchParams;
  const values: AuditFilterValues = Object.fromEntries(
    FILTERS.map((name) => [name, typeof raw[name] === "string" ? raw[name] : undefined]),
  );
  const parsed = listAuditEventsSchema.safeParse({ ...values, after: raw.after });
  const errors = parsed.success
    ? {}
    : Object.fromEntries(parsed.error.issues.map((issue) => [String(issue.path[0]), issue.message]));
  const query = parsed.success ? parsed.data : listAuditEventsSchema.parse({});
  const page = await pageData(() => listAuditEvents(principal, query));
  const filterQuery = new URLSearchParams(
    Object.entries(values).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
  const exportHref = (format: string) =>
    `/api/v1/audit-events/export?${new URLSearchParams([...filterQuery, ["format", format]])}`;
  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every security event, newest first, in a tamper-evident hash chain. Times are UTC."
        actions={
          <>
            <a href={exportHref("csv")} className={secondaryLinkButton}>
              Export CSV
            </a>
            <a href={exportHref("jsonl")} className={secondaryLinkButton}>
              Export JSON Lines
            </a>
          </>
        }
      />
      <section aria-labelledby="integrity" className={`${card} mb-6`}>
        <h2 id="integrity" className="mb-2 text-lg font-semibold">
          Integrity
        </h2>
        <ActionForm
          action={verifyAuditLogAction}
          label="Verify the audit chain"
          className="flex flex-wrap items-center gap-3"
        >
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Recompute every event’s hash and link, and check the chain passes through every signed checkpoint:
            each edited, deleted or reordered event is named.
          </p>
          <SubmitButton variant="secondary">Verify the chain</SubmitButton>
        </ActionForm>
      </section>
      <AuditFilters values={values} errors={errors} />
      {page.items.length === 0 ? (
        <p className={`${card} text-center`}>No events match.</p>
      ) : (
        <DataTable
          caption="Audit events"
          columns={["When", "Action", "Outcome", "Actor", "Target", "Address"]}
        >
          {page.items.map((event) => (
            <tr key={event.id}>
              <td className="px-4 py-3 text-xs whitespace-nowrap">
                <Link
                  href={`/audit/${event.id}`}
                  className="text-indigo-700 hover:underline dark:text-indigo-400"
                >
                  {formatDate(event.occurredAt)}
                </Link>
              </td>
              <td className="px-4 py-3 font-mono text-xs">{event.action}</td>
              <td className="px-4 py-3">
                <Badge tone={OUTCOME_TONE[event.outcome as keyof typeof OUTCOME_TONE] ?? "neutral"}>
                  {event.outcome}
                </Badge>
              </td>
              <td className="px-4 py-3 text-xs">{event.actor.display ?? event.actor.kind}</td>
              <td className="px-4 py-3 text-xs">
                {event.target ? (event.target.display ?? event.target.id) : ""}
              </td>
              <td className="px-4 py-3 font-mono text-xs">{event.ip ?? ""}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {page.nextCursor && (
        <Link
          href={`/audit?${new URLSearchParams([...filterQuery, ["after", page.nextCursor]])}`}
          className={`${secondaryLinkButton} mt-4`}
        >
          Older events
        </Link>
      )}
    </>
  );
}
