"use client";

import type { ClientSecretShown } from "@/components/credentials/secret-panel";
import { OverlapSelect } from "@/components/credentials/overlap-select";
import { SecretPanel } from "@/components/credentials/secret-panel";
import { ActionForm, ConfirmSubmit } from "@/components/ui/action-form";
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
        <OverlapSelect id="client-overlap" />
      </ConfirmSubmit>
    </ActionForm>
  );
}
