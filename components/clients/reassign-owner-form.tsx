"use client";

import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { TextField } from "@/components/ui/text-field";
import type { ActionState } from "@/lib/http/action";

export function ReassignOwnerForm({
  clientId,
  action,
}: {
  clientId: string;
  action: (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;
}) {
  return (
    <ActionForm
      action={action}
      hidden={{ clientId }}
      label="Change owner"
      className="flex max-w-lg flex-col gap-3"
    >
      {(fields) => (
        <>
          <TextField
            label="New owner’s email"
            name="owner"
            type="email"
            required
            hint="An active user; the client’s scopes are narrowed to what they hold."
            error={fields.owner}
          />
          <SubmitButton variant="secondary">Change owner</SubmitButton>
        </>
      )}
    </ActionForm>
  );
}
