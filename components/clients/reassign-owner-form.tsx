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
      label="Propose a new owner"
      className="flex max-w-lg flex-col gap-3"
    >
      {(fields) => (
        <>
          <TextField
            label="New owner’s email"
            name="owner"
            type="email"
            required
            hint="An active user you may manage, holding clients.write and the client’s scopes. They accept it on their API clients page; its secret is replaced then, and only they see the new one."
            error={fields.owner}
          />
          <SubmitButton variant="secondary">Propose owner</SubmitButton>
        </>
      )}
    </ActionForm>
  );
}
