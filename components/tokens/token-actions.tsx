"use client";

import type { ShownSecret } from "@/app/(app)/tokens/actions";
import { SecretPanel } from "@/components/credentials/secret-panel";
import { ActionForm, ConfirmSubmit } from "@/components/ui/action-form";
import { selectClass } from "@/components/ui/page-header";
import type { ActionState } from "@/lib/http/action";

type Action<T> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;

export const OVERLAPS = [
  { minutes: 0, label: "None: the old secret stops now" },
  { minutes: 60, label: "1 hour" },
  { minutes: 1440, label: "1 day" },
  { minutes: 10080, label: "7 days" },
];

/** Rotate (a new secret, with the overlap the holder picks) and revoke, each behind a confirmation. */
export function TokenActions({
  token,
  canRotate,
  rotate,
  revoke,
}: {
  token: { id: string; name: string; status: string };
  canRotate: boolean;
  rotate: Action<ShownSecret>;
  revoke: Action<undefined>;
}) {
  if (token.status !== "active") return null;
  return (
    <div className="flex flex-col items-end gap-2">
      {canRotate && (
        <ActionForm
          action={rotate}
          hidden={{ tokenId: token.id }}
          label={`Rotate ${token.name}`}
          result={(data) => (
            <SecretPanel label="New secret" secret={data.secret} example={data.example} note={data.note} />
          )}
        >
          <ConfirmSubmit
            label="Rotate"
            title={`Rotate ${token.name}?`}
            body="A new secret replaces the current one. Scopes and expiry stay the same."
            confirmLabel="Rotate token"
          >
            <div className="mt-4 flex flex-col gap-1">
              <label htmlFor={`overlap-${token.id}`} className="text-sm font-medium">
                Keep the old secret working for
              </label>
              <select
                id={`overlap-${token.id}`}
                name="overlapMinutes"
                defaultValue="0"
                className={selectClass}
              >
                {OVERLAPS.map((overlap) => (
                  <option key={overlap.minutes} value={overlap.minutes}>
                    {overlap.label}
                  </option>
                ))}
              </select>
            </div>
          </ConfirmSubmit>
        </ActionForm>
      )}
      <ActionForm action={revoke} hidden={{ tokenId: token.id }} label={`Revoke ${token.name}`}>
        <ConfirmSubmit
          label="Revoke"
          title={`Revoke ${token.name}?`}
          body="Anything using this token gets 401 from its next request. This cannot be undone."
          confirmLabel="Revoke token"
        />
      </ActionForm>
    </div>
  );
}
