"use client";

import { useOfferEndSessions } from "@/components/account/end-sessions-offer";
import { useStepUpAction } from "@/components/auth/use-step-up-action";
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
  const [state, formAction, pending, dialog] = useStepUpAction(action, (next) => {
    if (next.status !== "ok") return;
    toast(next.message);
    offer();
  });
  return (
    <>
      <form action={formAction} aria-label={`Remove ${factor.name}`}>
        <input type="hidden" name="factorId" value={factor.id} />
        {state.status === "error" && (
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
      {dialog}
    </>
  );
}
