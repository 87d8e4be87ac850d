"use client";

import { ActionForm, ConfirmSubmit } from "@/components/ui/action-form";
import { TextField } from "@/components/ui/text-field";
import type { ActionState } from "@/lib/http/action";
import type { Remedy, RiskItem } from "@/lib/overview/risks";

type Action = (state: ActionState, form: FormData) => Promise<ActionState>;

/** The server actions of the remedies, one per kind of act; the page passes those the caller may use. */
export type RemedyActions = Partial<Record<Remedy, Action>>;

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/**
 * The one-click remedies of one item on a risk list, each behind a confirmation that says what it
 * does. The kinds come from the list's definition (lib/overview/risks.ts); the page leaves out
 * those the caller may not use.
 */
export function RiskRemedies({
  item,
  remedies,
  actions,
  maxExpiryDays,
}: {
  item: Pick<RiskItem, "risk" | "targetId" | "targetKind" | "name" | "used" | "unused">;
  remedies: readonly Remedy[];
  actions: RemedyActions;
  /** The latest date an expiry may be set to (a token's lifetime cap). */
  maxExpiryDays: number;
}) {
  const hidden = { risk: item.risk, targetId: item.targetId };
  const idField =
    item.targetKind === "token" ? "tokenId" : item.targetKind === "client" ? "clientId" : "userId";
  const ref = { ...hidden, [idField]: item.targetId };
  const what = item.targetKind === "token" ? "token" : item.targetKind === "client" ? "client" : "account";
  const forms: React.ReactNode[] = [];
  for (const remedy of remedies) {
    const act = actions[remedy];
    if (!act) continue;
    const key = `${remedy}-${item.targetId}`;
    if (remedy === "revoke")
      forms.push(
        <ActionForm
          key={key}
          action={act}
          hidden={ref}
          label={`${item.targetKind === "token" ? "Revoke" : "Disable"} ${item.name}`}
        >
          <ConfirmSubmit
            label={item.targetKind === "token" ? "Revoke" : "Disable"}
            title={`${item.targetKind === "token" ? "Revoke" : "Disable"} ${item.name}?`}
            body={
              item.targetKind === "token"
                ? "Anything using this token gets 401 from its next request. This cannot be undone."
                : "It gets no more tokens and its tokens stop working now. It can be enabled again."
            }
            confirmLabel={item.targetKind === "token" ? "Revoke token" : "Disable client"}
          />
        </ActionForm>,
      );
    if (remedy === "disable")
      forms.push(
        <ActionForm key={key} action={act} hidden={ref} label={`Disable ${item.name}`}>
          <ConfirmSubmit
            label="Disable"
            title={`Disable ${item.name}?`}
            body="They are signed out everywhere and cannot sign in; their tokens and clients stop working. It can be undone."
            confirmLabel="Disable account"
          />
        </ActionForm>,
      );
    if (remedy === "narrow")
      forms.push(
        <ActionForm key={key} action={act} hidden={ref} label={`Narrow ${item.name}`}>
          <ConfirmSubmit
            label="Narrow"
            title={`Narrow ${item.name} to what it used?`}
            body={`It keeps ${item.used?.join(", ") || "nothing"} and loses ${item.unused?.join(", ") || "nothing"}. The same secret keeps working for what it keeps.`}
            confirmLabel={`Narrow ${what}`}
          />
        </ActionForm>,
      );
    if (remedy === "set_expiry")
      forms.push(
        <ActionForm key={key} action={act} hidden={ref} label={`Set an expiry for ${item.name}`}>
          {(fields) => (
            <ConfirmSubmit
              label="Set expiry"
              title={`Set an expiry for ${item.name}`}
              body={
                item.targetKind === "token"
                  ? "It stops working at the end of that day (UTC)."
                  : "Its secret stops working at the end of that day (UTC): the owner rotates it before then."
              }
              confirmLabel="Set expiry"
            >
              <TextField
                name="expiresAt"
                label="Expires on"
                type="date"
                defaultValue={day(Math.min(30, maxExpiryDays))}
                min={day(1)}
                max={day(maxExpiryDays)}
                required
                error={fields.expiresAt}
              />
            </ConfirmSubmit>
          )}
        </ActionForm>,
      );
    if (remedy === "remind")
      forms.push(
        <ActionForm key={key} action={act} hidden={hidden} label={`Remind the owner of ${item.name}`}>
          <ConfirmSubmit
            label="Remind owner"
            title={`Remind the owner of ${item.name}?`}
            body="They get an email naming it, why it is listed here and what to do."
            confirmLabel="Send reminder"
          />
        </ActionForm>,
      );
    if (remedy === "accept")
      forms.push(
        <ActionForm key={key} action={act} hidden={hidden} label={`Accept the risk of ${item.name}`}>
          {(fields) => (
            <ConfirmSubmit
              label="Accept risk"
              title={`Accept the risk of ${item.name}`}
              body="It leaves this list until the date you choose, then comes back. Both are recorded in the audit log."
              confirmLabel="Accept risk"
            >
              <div className="flex flex-col gap-3">
                <TextField
                  name="reason"
                  label="Why it is acceptable"
                  maxLength={500}
                  required
                  error={fields.reason}
                />
                <TextField
                  name="until"
                  label="Until"
                  type="date"
                  defaultValue={day(90)}
                  min={day(1)}
                  max={day(365)}
                  required
                  error={fields.until}
                />
              </div>
            </ConfirmSubmit>
          )}
        </ActionForm>,
      );
  }
  if (forms.length === 0) return null;
  return <div className="flex flex-wrap justify-end gap-2">{forms}</div>;
}
