"use client";

import { useActionState } from "react";

import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";
import { TextField } from "@/components/ui/text-field";
import type { ActionState } from "@/lib/http/action";

type Action = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/** Asks for a reset link. The answer is the same whether or not the address has an account. */
export function ForgotPasswordForm({ action }: { action: Action }) {
  const [state, formAction, pending] = useActionState(action, { status: "idle" });
  if (state.status === "ok") return <FormAlert tone="success">{state.message}</FormAlert>;
  const fields = state.status === "error" ? state.fields : {};
  return (
    <form action={formAction} className="flex flex-col gap-4">
      {state.status === "error" && <FormAlert>{state.message}</FormAlert>}
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        maxLength={254}
        error={fields.email}
      />
      <Button type="submit" pending={pending}>
        {pending ? "Sending…" : "Send me a reset link"}
      </Button>
    </form>
  );
}
