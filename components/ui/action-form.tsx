"use client";

import { useFormStatus } from "react-dom";

import { useStepUpAction } from "@/components/auth/use-step-up-action";
import type { ActionState } from "@/lib/http/action";

import { Button } from "./button";
import { ConfirmButton } from "./confirm-button";
import { CopyField } from "./copy-field";
import { FormAlert } from "./form-alert";
import { useToast } from "./toast";

/** What an action returns when it made a one-time link to show once (an invitation, a reset). */
type OneTimeLinkData = { link?: string; linkLabel?: string; linkHint?: string };

type ServerAction<T> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;

/**
 * A form bound to a server action: hidden ids, an error alert naming what went wrong, a toast on
 * success, and a one-time link when the action returns one (e.g. a resent invitation).
 */
export function ActionForm<T>({
  action,
  hidden = {},
  className = "",
  label,
  result,
  children,
}: {
  action: ServerAction<T>;
  hidden?: Record<string, string>;
  className?: string;
  /** Accessible name of the form. */
  label?: string;
  /** What a successful action returned and must be shown once (a new secret), under the form. */
  result?: (data: T) => React.ReactNode;
  /** Either the fields, or a function of the per-field errors of the last attempt. */
  children: React.ReactNode | ((fields: Record<string, string>) => React.ReactNode);
}) {
  const toast = useToast();
  // The toast is pushed when the action resolves: the form itself may be gone by the next render
  // (disabling a user replaces its Disable form with an Enable one). A sensitive action asks for a
  // recent sign-in: confirm, then the same submission runs again.
  const [state, formAction, , dialog] = useStepUpAction(action, (next) => {
    if (next.status === "ok") toast(next.message);
  });
  const shownLink = state.status === "ok" ? (state.data as OneTimeLinkData | undefined) : undefined;
  const link = shownLink?.link;
  return (
    <>
      <form action={formAction} aria-label={label} className={className}>
        {Object.entries(hidden).map(([name, value]) => (
          <input key={name} type="hidden" name={name} value={value} />
        ))}
        {state.status === "error" && (
          <div className="mb-3">
            <FormAlert>{state.message}</FormAlert>
          </div>
        )}
        {typeof children === "function" ? children(state.status === "error" ? state.fields : {}) : children}
        {result && state.status === "ok" && state.data !== undefined && (
          <div className="mt-4">{result(state.data)}</div>
        )}
        {link && (
          <div className="mt-3">
            <CopyField
              label={shownLink?.linkLabel ?? "New invitation link"}
              value={link}
              hint={shownLink?.linkHint ?? "Send it to the invitee; it is not shown again."}
            />
          </div>
        )}
      </form>
      {dialog}
    </>
  );
}

export function SubmitButton({
  children,
  variant = "primary",
}: {
  children: React.ReactNode;
  variant?: "primary" | "secondary" | "danger";
}) {
  const { pending } = useFormStatus();
  return (
    <Button type="submit" variant={variant} pending={pending}>
      {children}
    </Button>
  );
}

export function ConfirmSubmit(props: Omit<React.ComponentProps<typeof ConfirmButton>, "pending">) {
  const { pending } = useFormStatus();
  return <ConfirmButton {...props} pending={pending} />;
}
