"use client";

import Link from "next/link";
import { useActionState, useEffect, useSyncExternalStore } from "react";

import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";
import type { ActionState } from "@/lib/http/action";

type Action = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/**
 * The page of an email-verification link. The secret is in the URL fragment, which only this
 * script reads, and nothing is used up until the person presses Verify: a mail scanner that opens
 * the link leaves it working.
 */
export function VerifyEmailForm({ action }: { action: Action }) {
  // null while rendering on the server, where there is no fragment.
  const code = useSyncExternalStore(
    subscribeToHash,
    () => window.location.hash.slice(1),
    () => null,
  );
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  const done = state.status === "ok" || (state.status === "error" && state.code === "invalid");

  // Used up either way: the secret need not stay in the address bar or the history.
  useEffect(() => {
    if (done) window.history.replaceState(null, "", window.location.pathname);
  }, [done]);

  const account = (
    <p className="text-sm">
      <Link href="/account" className="text-indigo-700 underline dark:text-indigo-400">
        Go to My account
      </Link>
    </p>
  );
  if (state.status === "ok") {
    return (
      <div className="flex flex-col gap-4">
        <FormAlert tone="success">{state.message}</FormAlert>
        {account}
      </div>
    );
  }
  if (state.status === "error" && state.code === "invalid") {
    return (
      <div className="flex flex-col gap-4">
        <FormAlert>{state.fields.code ?? state.message}</FormAlert>
        {account}
      </div>
    );
  }
  if (code === "") {
    return (
      <div className="flex flex-col gap-4">
        <FormAlert>
          This verification link is incomplete. Open the whole link you were sent, or send a new one from My
          account.
        </FormAlert>
        {account}
      </div>
    );
  }
  return (
    <form action={formAction} className="flex flex-col gap-4">
      {state.status === "error" && <FormAlert>{state.message}</FormAlert>}
      <input type="hidden" name="code" value={code ?? ""} />
      <Button type="submit" pending={pending} disabled={code === null}>
        {pending ? "Verifying…" : "Verify"}
      </Button>
    </form>
  );
}

function subscribeToHash(onChange: () => void) {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}
