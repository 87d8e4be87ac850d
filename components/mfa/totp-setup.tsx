"use client";

import { useState } from "react";

import { EndSessionsOffer } from "@/components/account/end-sessions-offer";
import { useStepUpAction } from "@/components/auth/use-step-up-action";
import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";
import { TextField } from "@/components/ui/text-field";
import type { ActionState } from "@/lib/http/action";

import { RecoveryCodes } from "./recovery-codes";

type Started = { factorId: string; secret: string; qrSvg: string };
type Confirmed = { recoveryCodes: string[] | null };
type ServerAction<T> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;
type Props = {
  start: ServerAction<Started>;
  confirm: ServerAction<Confirmed>;
  endOtherSessions: ServerAction<undefined>;
};

/** Two steps: a QR code (and the key as text), then a code from the app to prove it works. */
export function TotpSetup(props: Props) {
  const [round, setRound] = useState(0);
  return <TotpRound key={round} {...props} onAgain={() => setRound((n) => n + 1)} />;
}

function TotpRound({ start, confirm, endOtherSessions, onAgain }: Props & { onAgain: () => void }) {
  const [started, startAction, starting, startDialog] = useStepUpAction(start);
  const [confirmed, confirmAction, confirming, confirmDialog] = useStepUpAction(confirm);

  if (confirmed.status === "ok") {
    return (
      <div className="flex flex-col gap-4">
        <FormAlert tone="success">{confirmed.message}</FormAlert>
        {confirmed.data?.recoveryCodes && <RecoveryCodes codes={confirmed.data.recoveryCodes} />}
        <EndSessionsOffer action={endOtherSessions} />
        <Button type="button" variant="secondary" className="self-start" onClick={onAgain}>
          Done
        </Button>
      </div>
    );
  }
  if (started.status !== "ok" || !started.data) {
    return (
      <>
        <form action={startAction} className="flex max-w-md flex-col gap-3">
          {started.status === "error" && <FormAlert>{started.message}</FormAlert>}
          <TextField
            label="Name for this authenticator"
            name="name"
            defaultValue="Authenticator app"
            maxLength={60}
            required
          />
          <Button type="submit" pending={starting} className="self-start">
            Set up an authenticator app
          </Button>
        </form>
        {startDialog}
      </>
    );
  }
  const { factorId, secret, qrSvg } = started.data;
  const fields = confirmed.status === "error" ? confirmed.fields : {};
  return (
    <div className="flex flex-col gap-4 md:flex-row">
      {/* The SVG is generated on our server from the otpauth URI; it holds no script. */}
      <div
        role="img"
        aria-label="QR code to scan with your authenticator app"
        className="size-48 shrink-0 rounded-lg bg-white p-2"
        dangerouslySetInnerHTML={{ __html: qrSvg }}
      />
      <form action={confirmAction} className="flex max-w-md flex-col gap-3">
        <p className="text-sm">Scan the QR code with your authenticator app, or type this key into it:</p>
        <code
          aria-label="Setup key"
          className="rounded bg-slate-100 px-2 py-1 font-mono text-sm break-all dark:bg-slate-800"
        >
          {secret.match(/.{1,4}/g)?.join(" ")}
        </code>
        <input type="hidden" name="factorId" value={factorId} />
        {confirmed.status === "error" && !fields.code && <FormAlert>{confirmed.message}</FormAlert>}
        <TextField
          label="Code from the app"
          name="code"
          inputMode="numeric"
          autoComplete="one-time-code"
          maxLength={7}
          required
          error={fields.code}
        />
        <Button type="submit" pending={confirming} className="self-start">
          Verify and turn on
        </Button>
      </form>
      {confirmDialog}
    </div>
  );
}
