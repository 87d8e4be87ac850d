import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";

import { formatDate } from "@/components/ui/format";
import { card, PageHeader } from "@/components/ui/page-header";
import { ScrollRegion } from "@/components/ui/scroll-region";
import { auditEventIdSchema } from "@/lib/audit/audit-schemas";
import { getAuditEvent } from "@/lib/audit/list-events";
import { pageData, requirePageUser } from "@/lib/http/page";

type Props = { params: Promise<{ id: string }> };

/** The page and its title share one load per request (React's cache), authorized as the page is. */
const loadEvent = cache(async (rawId: string) => {
  const principal = await requirePageUser("audit.read");
  const id = auditEventIdSchema.safeParse({ eventId: rawId });
  if (!id.success) notFound();
  return pageData(() => getAuditEvent(principal, id.data.eventId));
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const event = await loadEvent((await params).id);
  return { title: `${event.action} · Audit log` };
}

export default async function AuditEventPage({ params }: Props) {
  const event = await loadEvent((await params).id);
  const rows: [string, string][] = [
    ["When", formatDate(event.occurredAt)],
    ["Action", event.action],
    ["Outcome", event.outcome],
    ["Actor", [event.actor.kind, event.actor.id, event.actor.display].filter(Boolean).join(" · ")],
    [
      "Target",
      event.target
        ? [event.target.kind, event.target.id, event.target.display].filter(Boolean).join(" · ")
        : "None",
    ],
    ["Address", event.ip ?? "None"],
    ["User agent", event.userAgent ?? "None"],
    ["Request id", event.requestId ?? "None"],
    ["Hash", event.hash],
  ];
  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: "Audit log", href: "/audit" }, { label: `Event ${event.id}` }]}
        title={`Event ${event.id}`}
        description={event.action}
      />
      <section aria-labelledby="event" className={card}>
        <h2 id="event" className="sr-only">
          Event
        </h2>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
          {rows.map(([label, value]) => (
            <div key={label} className="contents">
              <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
              <dd className="break-all">{value}</dd>
            </div>
          ))}
          <dt className="text-slate-600 dark:text-slate-400">Details</dt>
          <dd>
            <ScrollRegion label="Event details" className="rounded-md bg-slate-100 p-3 dark:bg-slate-800">
              <pre className="text-xs">{JSON.stringify(event.details, null, 2)}</pre>
            </ScrollRegion>
          </dd>
        </dl>
      </section>
    </>
  );
}
