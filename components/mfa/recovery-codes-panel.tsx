"use client";

import { useStepUpAction } from "@/components/auth/use-step-up-action";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { FormAlert } from "@/components/ui/form-alert";
import type { ActionState } from "@/lib/http/action";

import { RecoveryCodes } from "./recovery-codes";

type Result = { recoveryCodes: string[] };
type Props = {
  left: number;
  regenerate: (state: ActionState<Result>, form: FormData) => Promise<ActionState<Result>>;
};

export function RecoveryCodesPanel({ left, regenerate }: Props) {
  const [state, action, pending, dialog] = useStepUpAction(regenerate);
  return (
    <div className="flex flex-col gap-3">
      {state.status === "ok" && state.data ? (
        <RecoveryCodes codes={state.data.recoveryCodes} />
      ) : (
        <p className={`text-sm ${left <= 3 ? "font-medium text-amber-700 dark:text-amber-400" : ""}`}>
          {left === 0
            ? "You have no recovery codes left."
            : `${left} recovery code${left === 1 ? "" : "s"} left.`}
          {left <= 3 && " Create a new set so you are not locked out if you lose your device."}
        </p>
      )}
      {state.status === "error" && <FormAlert>{state.message}</FormAlert>}
      <form action={action}>
        <ConfirmButton
          label="Create new recovery codes"
          title="Create new recovery codes?"
          body="Your current codes stop working at once."
          confirmLabel="Create new codes"
          pending={pending}
        />
      </form>
      {dialog}
    </div>
  );
}
