"use client";

import Link from "next/link";
import { useState } from "react";

import { useStepUpAction } from "@/components/auth/use-step-up-action";
import { Button } from "@/components/ui/button";
import { CopyField } from "@/components/ui/copy-field";
import { FormAlert } from "@/components/ui/form-alert";
import { formatDate } from "@/components/ui/format";
import { TextField } from "@/components/ui/text-field";

import type { ActionState } from "@/lib/http/action";
import type { Invitation } from "@/lib/users/invitations";

import { RoleCheckboxes, type RoleOption } from "./role-checkboxes";

/** What inviting someone answers: their id and the link to pass on, shown once. */
export type InvitationState = ActionState<Pick<Invitation, "userId" | "link"> & { expiresAt: string }>;

type Props = {
  roles: RoleOption[];
  action: (state: InvitationState, form: FormData) => Promise<InvitationState>;
};

export function InviteForm(props: Props) {
  // A fresh form (and action state) for each invitation.
  const [round, setRound] = useState(0);
  return <InviteRound key={round} {...props} onAnother={() => setRound((n) => n + 1)} />;
}

function InviteRound({ roles, action, onAnother }: Props & { onAnother: () => void }) {
  // An invitation link needs a recent sign-in: confirm it is you, then the same form goes again.
  const [state, formAction, pending, dialog] = useStepUpAction(action);
  if (state.status === "ok" && state.data) {
    return (
      <div className="flex flex-col gap-4">
        <FormAlert tone="success">{state.message}</FormAlert>
        <CopyField
          label="Invitation link"
          value={state.data.link}
          hint={`Send it to the invitee. It works once, until ${formatDate(new Date(state.data.expiresAt))}, and is not shown again.`}
        />
        <div className="flex gap-3 text-sm">
          <Link
            href={`/users/${state.data.userId}`}
            className="text-indigo-700 underline dark:text-indigo-400"
          >
            Go to the user
          </Link>
          <button
            type="button"
            onClick={onAnother}
            className="text-indigo-700 underline dark:text-indigo-400"
          >
            Invite someone else
          </button>
        </div>
      </div>
    );
  }
  const fields = state.status === "error" ? state.fields : {};
  return (
    <>
      <form action={formAction} className="flex max-w-lg flex-col gap-4">
        {state.status === "error" && <FormAlert>{state.message}</FormAlert>}
        <TextField label="Email" name="email" type="email" required maxLength={254} error={fields.email} />
        <TextField label="Name" name="name" required maxLength={100} error={fields.name} />
        <RoleCheckboxes roles={roles} />
        <p className="text-xs text-slate-600 dark:text-slate-400">
          Keyward creates a one-time link for the invitee to choose their own password. Nobody else ever knows
          it.
        </p>
        <Button type="submit" pending={pending} className="self-start">
          {pending ? "Inviting…" : "Create invitation"}
        </Button>
      </form>
      {dialog}
    </>
  );
}
