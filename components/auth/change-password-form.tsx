"use client";

import { NewPasswordFields } from "@/components/auth/new-password-fields";
import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { TextField } from "@/components/ui/text-field";
import type { ActionState } from "@/lib/http/action";

export function ChangePasswordForm({
  action,
}: {
  action: (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;
}) {
  return (
    <ActionForm action={action} label="Change password" className="flex max-w-md flex-col gap-4">
      {(fields) => (
        <>
          <TextField
            label="Current password"
            name="currentPassword"
            type="password"
            autoComplete="current-password"
            required
            error={fields.currentPassword}
          />
          <NewPasswordFields
            label="New password"
            passwordError={fields.password}
            confirmError={fields.confirm}
          />
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" name="endOtherSessions" defaultChecked className="mt-1" />
            <span>Sign out my other sessions (recommended if the old password may be known to someone)</span>
          </label>
          <div>
            <SubmitButton>Change password</SubmitButton>
          </div>
        </>
      )}
    </ActionForm>
  );
}
