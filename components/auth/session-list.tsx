import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { formatDate } from "@/components/ui/format";
import type { ActionState } from "@/lib/http/action";
import type { SessionView } from "@/lib/auth/manage-sessions";

type EndAction = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/** Signed-in browsers: device, address, when; each but this one can be signed out. */
export function SessionList({
  sessions,
  end,
  hidden = {},
  canEnd,
}: {
  sessions: SessionView[];
  end: EndAction;
  /** Extra fields for the end action (the user's id on an admin's page). */
  hidden?: Record<string, string>;
  canEnd: boolean;
}) {
  if (sessions.length === 0)
    return <p className="text-sm text-slate-600 dark:text-slate-400">No active sessions.</p>;
  return (
    <DataTable
      caption="Sessions"
      columns={["Device", "Address", "Signed in", "Last active", { label: "Actions", hidden: true }]}
    >
      {sessions.map((session) => (
        <tr key={session.id}>
          <td className="px-4 py-3">
            <span className="font-medium">{session.device}</span>{" "}
            {session.current && <Badge tone="info">This browser</Badge>}
            <span className="block text-xs text-slate-600 dark:text-slate-400">
              {session.amr.join(" + ")}
            </span>
          </td>
          <td className="px-4 py-3 font-mono text-xs">{session.ip || "unknown"}</td>
          <td className="px-4 py-3 text-xs whitespace-nowrap">{formatDate(session.createdAt)}</td>
          <td className="px-4 py-3 text-xs whitespace-nowrap">{formatDate(session.lastSeenAt)}</td>
          <td className="px-4 py-3 text-right">
            {canEnd && !session.current && (
              <ActionForm
                action={end}
                hidden={{ ...hidden, sessionId: session.id }}
                label={`Sign out ${session.device}`}
              >
                <SubmitButton variant="secondary">Sign out</SubmitButton>
              </ActionForm>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
