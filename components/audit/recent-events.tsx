import { formatDate } from "@/components/ui/format";
import { ScrollRegion } from "@/components/ui/scroll-region";

type Event = {
  id: bigint;
  occurredAt: Date;
  action: string;
  actorDisplay: string | null;
  outcome: string;
  ip: string | null;
};

export function RecentEvents({ events }: { events: Event[] }) {
  if (events.length === 0)
    return <p className="text-sm text-slate-600 dark:text-slate-400">No events yet.</p>;
  return (
    <ScrollRegion label="Recent events">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Recent events</caption>
        <thead className="text-xs text-slate-600 uppercase dark:text-slate-400">
          <tr>
            <th scope="col" className="py-2 pr-4">
              When
            </th>
            <th scope="col" className="py-2 pr-4">
              Action
            </th>
            <th scope="col" className="py-2 pr-4">
              By
            </th>
            <th scope="col" className="py-2 pr-4">
              Outcome
            </th>
            <th scope="col" className="py-2">
              IP
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {events.map((event) => (
            <tr key={event.id.toString()}>
              <td className="py-2 pr-4 whitespace-nowrap">{formatDate(event.occurredAt)}</td>
              <td className="py-2 pr-4">
                <code>{event.action}</code>
              </td>
              <td className="py-2 pr-4">{event.actorDisplay ?? "—"}</td>
              <td className="py-2 pr-4">{event.outcome}</td>
              <td className="py-2">{event.ip ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  );
}
