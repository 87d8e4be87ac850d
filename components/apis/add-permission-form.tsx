"use client";

import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { TextField } from "@/components/ui/text-field";
import type { ActionState } from "@/lib/http/action";

type Action = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/** A new permission of the API: its name (the scope on the wire) and what it allows, in plain words. */
export function AddPermissionForm({ apiId, action }: { apiId: string; action: Action }) {
  return (
    <ActionForm
      action={action}
      hidden={{ apiId }}
      label="Add a permission"
      className="flex flex-col gap-3 sm:flex-row sm:items-start"
    >
      {(fields) => (
        <>
          <div className="sm:w-56">
            <TextField
              label="Name"
              name="name"
              required
              maxLength={100}
              placeholder="orders.read"
              autoCapitalize="none"
              spellCheck={false}
              hint="Lowercase, e.g. orders.read: the scope clients ask for."
              error={fields.name}
            />
          </div>
          <div className="flex-1">
            <TextField
              label="Description"
              name="description"
              maxLength={500}
              placeholder="Read orders and their lines."
              hint="What it allows, in plain words: people see it when they grant it."
              error={fields.description}
            />
          </div>
          <div className="sm:pt-6">
            <SubmitButton>Add permission</SubmitButton>
          </div>
        </>
      )}
    </ActionForm>
  );
}
