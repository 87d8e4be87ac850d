"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { EndSessionsOffer } from "@/components/account/end-sessions-offer";
import { ReauthDialog } from "@/components/auth/reauth-dialog";
import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";
import { TextField } from "@/components/ui/text-field";
import type { ActionState } from "@/lib/http/action";

import { RecoveryCodes } from "./recovery-codes";
import { passkeyRegistration } from "./webauthn-client";

type EndOthers = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/**
 * Adds a passkey or security key. Adding a factor needs a recent sign-in: when the server asks
 * for one, the user confirms it is them and the registration starts again by itself.
 */
export function PasskeyRegister({ endOtherSessions }: { endOtherSessions: EndOthers }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [added, setAdded] = useState(false);
  const [offer, setOffer] = useState(0);
  const [reauthFor, setReauthFor] = useState<string | null>(null);

  async function register(name: string) {
    setPending(true);
    setError(undefined);
    const result = await passkeyRegistration<{ recoveryCodes: string[] | null }>(name);
    setPending(false);
    if (!result.ok) {
      if (result.code === "step_up_required") return setReauthFor(name);
      return setError(result.message);
    }
    setAdded(true);
    setOffer((n) => n + 1);
    setCodes(result.data.recoveryCodes);
    router.refresh();
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    void register(String(new FormData(event.currentTarget).get("name") ?? ""));
  }

  return (
    <div className="flex flex-col gap-4">
      {added && <FormAlert tone="success">Passkey added.</FormAlert>}
      {codes && <RecoveryCodes codes={codes} />}
      {offer > 0 && <EndSessionsOffer key={offer} action={endOtherSessions} onDismiss={() => setOffer(0)} />}
      <form method="post" onSubmit={onSubmit} className="flex max-w-md flex-col gap-3">
        {error && <FormAlert>{error}</FormAlert>}
        <TextField
          label="Name for this passkey"
          name="name"
          defaultValue="Passkey"
          maxLength={60}
          required
          hint="For example “Work laptop” or “Blue security key”."
        />
        <Button type="submit" pending={pending} className="self-start">
          {pending ? "Follow your browser’s prompt…" : "Add a passkey or security key"}
        </Button>
      </form>
      <ReauthDialog
        open={reauthFor !== null}
        onCancel={() => setReauthFor(null)}
        onDone={() => {
          const name = reauthFor;
          setReauthFor(null);
          if (name !== null) void register(name);
        }}
      />
    </div>
  );
}
