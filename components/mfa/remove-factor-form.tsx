"use client";

import { startTransition, useActionState, useRef, useState } from "react";

import { useOfferEndSessions } from "@/components/account/end-sessions-offer";
import { ReauthDialog } from "@/components/auth/reauth-dialog";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { FormAlert } from "@/components/ui/form-alert";
import { useToast } from "@/components/ui/toast";
import type { ActionState } from "@/lib/http/action";

type Action = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/**
 * Removing a factor: confirmed, re-authenticated when the session is not fresh, and followed by
 * the offer to end the other sessions (left in the factors section: this form goes with the factor).
 */
export function RemoveFactorForm({
  action,
  factor,
}: {
  action: Action;
  factor: { id: string; name: string };
}) {
  const toast = useToast();
  const offer = useOfferEndSessions();
  const lastForm = useRef<FormData | null>(null);
  const [reauth, setReauth] = useState(false);
  const [state, formAction, pending] = useActionState<ActionState<undefined>, FormData>(
    async (previous, form) => {
      lastForm.current = form;
      const next = await action(previous, form);
      if (next.status === "ok") {
        toast(next.message);
        offer();
      }
      if (next.status === "error" && next.code === "step_up_required") setReauth(true);
      return next;
    },
    { status: "idle" },
  );
  return (
    <>
      <form action={formAction} aria-label={`Remove ${factor.name}`}>
        <input type="hidden" name="factorId" value={factor.id} />
        {state.status === "error" && !reauth && (
          <div className="mb-3">
            <FormAlert>{state.message}</FormAlert>
          </div>
        )}
        <ConfirmButton
          label="Remove"
          title={`Remove ${factor.name}?`}
          body="You will no longer be able to sign in with it."
          confirmLabel="Remove"
          pending={pending}
        />
      </form>
      <ReauthDialog
        open={reauth}
        onCancel={() => setReauth(false)}
        onDone={() => {
          setReauth(false);
          const form = lastForm.current;
          if (form) startTransition(() => formAction(form));
        }}
      />
    </>
  );
}
