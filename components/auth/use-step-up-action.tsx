"use client";

import { startTransition, useActionState, useRef, useState } from "react";

import type { ActionState } from "@/lib/http/action";

import { ReauthDialog } from "./reauth-dialog";

type ServerAction<T> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;

/**
 * A server action bound to a form that answers the server's `step_up_required`: it opens the
 * re-authentication dialog, then submits the same form again. `onResult` sees every answer (a toast,
 * an offer to end other sessions). While the dialog is open its own messages speak, so the refusal
 * is not shown under the form: the returned state is idle then.
 */
export function useStepUpAction<T>(action: ServerAction<T>, onResult?: (state: ActionState<T>) => void) {
  const lastForm = useRef<FormData | null>(null);
  const [reauth, setReauth] = useState(false);
  const [state, formAction, pending] = useActionState<ActionState<T>, FormData>(
    async (previous, form) => {
      lastForm.current = form;
      const next = await action(previous, form);
      onResult?.(next);
      if (next.status === "error" && next.code === "step_up_required") setReauth(true);
      return next;
    },
    { status: "idle" },
  );
  const dialog = (
    <ReauthDialog
      open={reauth}
      onCancel={() => setReauth(false)}
      onDone={() => {
        setReauth(false);
        const form = lastForm.current ?? new FormData();
        startTransition(() => formAction(form));
      }}
    />
  );
  const shown: ActionState<T> = reauth && state.status === "error" ? { status: "idle" } : state;
  return [shown, formAction, pending, dialog] as const;
}
