"use client";

import { AppSecret, type AppSecretShown } from "@/components/apps/app-secret";
import { OverlapSelect } from "@/components/credentials/overlap-select";
import { ActionForm, ConfirmSubmit } from "@/components/ui/action-form";
import type { ActionState } from "@/lib/http/action";

/** Rotating a web app's client secret: the new one shown once, the old one kept for an overlap. */
export function AppSecretRotation({
  appId,
  appName,
  action,
}: {
  appId: string;
  appName: string;
  action: (state: ActionState<AppSecretShown>, form: FormData) => Promise<ActionState<AppSecretShown>>;
}) {
  return (
    <ActionForm
      action={action}
      hidden={{ appId }}
      label={`Rotate the secret of ${appName}`}
      result={(data) => <AppSecret shown={data} />}
    >
      <p className="mb-3 text-sm text-slate-600 dark:text-slate-400">
        Replace the secret if it may have leaked, or on a schedule. Keep the old one working for a while to
        switch the app over without signing anyone out.
      </p>
      <ConfirmSubmit
        label="Rotate secret"
        title={`Rotate the secret of ${appName}?`}
        body="A new secret is shown once."
        confirmLabel="Rotate secret"
      >
        <OverlapSelect id="app-overlap" />
      </ConfirmSubmit>
    </ActionForm>
  );
}
