"use client";

import { useStepUpAction } from "@/components/auth/use-step-up-action";
import { Button } from "@/components/ui/button";
import { ConfirmButton } from "@/components/ui/confirm-button";
import { FormAlert } from "@/components/ui/form-alert";
import { useToast } from "@/components/ui/toast";
import type { ActionState } from "@/lib/http/action";

type Action = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/**
 * Removing something others may hold (a permission, an API), in two steps. The first confirmation
 * submits without `confirm`: if nobody holds it, it is gone. If someone does, the server refuses
 * (409) naming the roles, tokens and clients, and only then can it be taken from them too, with
 * `confirm=true`. So nobody removes a grant they were not shown.
 */
export function HolderConfirmForm({
  action,
  hidden,
  label,
  formLabel = label,
  title,
  body,
  confirmLabel,
  forceLabel,
}: {
  action: Action;
  hidden: Record<string, string>;
  /** The button's text. */
  label: string;
  /** The form's accessible name, when the button's text alone does not say what it removes. */
  formLabel?: string;
  title: string;
  body: string;
  confirmLabel: string;
  /** The second step's button, once the holders are named. */
  forceLabel: string;
}) {
  const toast = useToast();
  const [state, formAction, pending, dialog] = useStepUpAction(action, (next) => {
    if (next.status === "ok") toast(next.message);
  });
  const held = state.status === "error" && state.code === "conflict";
  const fields = Object.entries(hidden).map(([name, value]) => (
    <input key={name} type="hidden" name={name} value={value} />
  ));
  return (
    <div className="flex flex-col gap-2">
      <form action={formAction} aria-label={formLabel}>
        {fields}
        <input type="hidden" name="confirm" value="false" />
        {state.status === "error" && !held && (
          <div className="mb-2">
            <FormAlert>{state.message}</FormAlert>
          </div>
        )}
        <ConfirmButton
          label={label}
          title={title}
          body={body}
          confirmLabel={confirmLabel}
          pending={pending && !held}
        />
      </form>
      {held && (
        <form
          action={formAction}
          aria-label={`${formLabel}: confirm`}
          className="flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 dark:border-amber-800 dark:bg-amber-950/40"
        >
          {fields}
          <input type="hidden" name="confirm" value="true" />
          {/* The REST API's hint ("confirm=true") is this button here. */}
          <FormAlert>{state.message.replace(/\s*\(confirm=true\)/, "")}</FormAlert>
          <div>
            <Button type="submit" variant="danger" pending={pending}>
              {forceLabel}
            </Button>
          </div>
        </form>
      )}
      {dialog}
    </div>
  );
}
