"use client";

import { useActionState, useState, useSyncExternalStore } from "react";

import { NewPasswordFields, passwordsDiffer } from "@/components/auth/new-password-fields";
import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";
import type { ActionState } from "@/lib/http/action";

type Action = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/**
 * Choosing a password from a one-time link (an invitation or a password reset). The link's secret
 * is in the URL fragment, which only this page's script ever reads.
 */
export function OneTimeLinkPasswordForm({
  action,
  linkName,
  passwordLabel,
  notice,
}: {
  action: Action;
  /** "invitation link", "password reset link" */
  linkName: string;
  passwordLabel?: string;
  /** What setting the password does besides (e.g. a reset revokes the account's personal tokens). */
  notice?: string;
}) {
  // null while rendering on the server, where there is no fragment.
  const code = useSyncExternalStore(
    subscribeToHash,
    () => window.location.hash.slice(1),
    () => null,
  );
  const [mismatch, setMismatch] = useState(false);
  const [state, formAction, pending] = useActionState(action, { status: "idle" });

  if (code === "") {
    return <FormAlert>This {linkName} is incomplete. Open the whole link you were sent.</FormAlert>;
  }
  const fields = state.status === "error" ? state.fields : {};
  return (
    <form
      action={formAction}
      onSubmit={(event) => {
        const form = new FormData(event.currentTarget);
        const differ = passwordsDiffer(form);
        setMismatch(differ);
        if (differ) event.preventDefault();
      }}
      className="flex flex-col gap-4"
    >
      {state.status === "error" && <FormAlert>{fields.code ?? state.message}</FormAlert>}
      {notice && <p className="text-sm text-slate-600 dark:text-slate-400">{notice}</p>}
      <input type="hidden" name="code" value={code ?? ""} />
      <NewPasswordFields
        label={passwordLabel}
        passwordError={fields.password}
        confirmError={mismatch ? "The two passwords differ." : undefined}
      />
      <Button type="submit" pending={pending} disabled={code === null}>
        {pending ? "Setting your password…" : "Set password"}
      </Button>
    </form>
  );
}

function subscribeToHash(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}
