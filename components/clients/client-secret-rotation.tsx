"use client";

import type { ClientSecretShown } from "@/app/(app)/clients/actions";
import { SecretPanel } from "@/components/credentials/secret-panel";
import { OVERLAPS } from "@/components/tokens/token-actions";
import { ActionForm, ConfirmSubmit } from "@/components/ui/action-form";
import { selectClass } from "@/components/ui/page-header";
import type { ActionState } from "@/lib/http/action";

export function ClientSecretRotation({
  clientId,
  clientName,
  action,
}: {
  clientId: string;
  clientName: string;
  action: (state: ActionState<ClientSecretShown>, form: FormData) => Promise<ActionState<ClientSecretShown>>;
}) {
  return (
    <ActionForm
      action={action}
      hidden={{ clientId }}
      label={`Rotate the secret of ${clientName}`}
      result={(data) => (
        <SecretPanel label="New client secret" secret={data.secret} example={data.example} note={data.note} />
      )}
    >
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
        Replace the secret if it may have leaked, or on a schedule. Keep the old one working for a while to
        switch deployments over without downtime.
      </p>
      <ConfirmSubmit
        label="Rotate secret"
        title={`Rotate the secret of ${clientName}?`}
        body="A new secret is shown once. Tokens already issued stay valid until they expire."
        confirmLabel="Rotate secret"
      >
        <div className="mt-4 flex flex-col gap-1">
          <label htmlFor="client-overlap" className="text-sm font-medium">
            Keep the old secret working for
          </label>
          <select id="client-overlap" name="overlapMinutes" defaultValue="0" className={selectClass}>
            {OVERLAPS.map((overlap) => (
              <option key={overlap.minutes} value={overlap.minutes}>
                {overlap.label}
              </option>
            ))}
          </select>
        </div>
      </ConfirmSubmit>
    </ActionForm>
  );
}
