"use client";

import Link from "next/link";

import { NewPasswordFields } from "@/components/auth/new-password-fields";
import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { TextField } from "@/components/ui/text-field";
import type { ActionState } from "@/lib/http/action";

/** What the change does to the user's API credentials (lib/users/change-password.ts). */
export type PasswordChangeEffects = { activeTokens: number; clients: { id: string; name: string }[] };

export function ChangePasswordForm({
  action,
  effects,
}: {
  action: (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;
  effects?: PasswordChangeEffects;
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
          <label className="flex items-start gap-2 text-sm">
            <input type="checkbox" name="revokeTokens" defaultChecked className="mt-1" />
            <span>
              Also revoke my personal API tokens
              {effects &&
                ` (${effects.activeTokens === 0 ? "you have none" : `${effects.activeTokens} active`})`}
              : whoever knew the old password may have minted some.
            </span>
          </label>
          <ClientsStay clients={effects?.clients} />
          <div>
            <SubmitButton>Change password</SubmitButton>
          </div>
        </>
      )}
    </ActionForm>
  );
}

/** API clients are not revoked by a password change: the form names them, so nobody is surprised. */
function ClientsStay({ clients }: { clients?: PasswordChangeEffects["clients"] }) {
  if (clients?.length === 0) return null;
  return (
    <div className="text-sm text-slate-600 dark:text-slate-400">
      <p>
        API clients you own keep working either way
        {clients ? ":" : "."} Rotate a client&apos;s secret if it may have leaked.
      </p>
      {clients && (
        <ul className="mt-1 list-disc pl-5" aria-label="API clients that stay">
          {clients.map((client) => (
            <li key={client.id}>
              <Link href={`/clients/${client.id}`} className="text-indigo-700 underline dark:text-indigo-400">
                {client.name}
              </Link>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
