"use client";

import { useEffect, useRef, useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";
import { TextField } from "@/components/ui/text-field";
import { useJsonForm } from "@/components/ui/use-json-form";
import { passkeyAssertion } from "@/components/mfa/webauthn-client";

/**
 * Step-up: a sensitive action asked for a recent sign-in. The user confirms their password (and an
 * authenticator code when the server asks for one); then the action runs again.
 */
export function ReauthDialog({
  open,
  onDone,
  onCancel,
}: {
  open: boolean;
  onDone: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [codeAsked, setCodeAsked] = useState(false);
  const { pending, error, fields, submit, fail } = useJsonForm();

  useEffect(() => {
    if (open && !dialog.current?.open) dialog.current?.showModal();
    if (!open && dialog.current?.open) dialog.current.close();
  }, [open]);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (askCode) setCodeAsked(true);
    const result = await submit<{ ok: boolean }>("/api/auth/reauth", {
      password: String(form.get("password") ?? ""),
      code: askCode ? String(form.get("code") ?? "") : undefined,
    });
    if (result) {
      fail(undefined);
      onDone();
    }
  }

  // The server names the code field when this account has a second factor; then it stays.
  const askCode = codeAsked || Boolean(fields.code);

  return (
    <dialog
      ref={dialog}
      aria-labelledby="reauth-title"
      onCancel={onCancel}
      className="m-auto w-full max-w-sm rounded-xl border border-slate-200 bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
    >
      <form method="post" onSubmit={onSubmit} className="flex flex-col gap-4">
        <h2 id="reauth-title" className="text-lg font-semibold">
          Confirm it is you
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">This action needs a recent sign-in.</p>
        {error && !fields.password && !fields.code && <FormAlert>{error}</FormAlert>}
        <TextField
          label="Your password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          error={fields.password}
        />
        {askCode && (
          <TextField
            label="Authenticator code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            required
            error={fields.code === "Enter the code from your authenticator app." ? undefined : fields.code}
          />
        )}
        <Button
          type="button"
          variant="secondary"
          onClick={async () => {
            const result = await passkeyAssertion(
              "/api/auth/reauth/passkey/options",
              "/api/auth/reauth/passkey/verify",
            );
            if (result.ok) onDone();
            else fail(result.message);
          }}
        >
          Use a passkey instead
        </Button>
        <div className="flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" pending={pending}>
            Confirm
          </Button>
        </div>
      </form>
    </dialog>
  );
}
