"use client";

import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";
import { TextField } from "@/components/ui/text-field";

import { RecoveryCodes } from "./recovery-codes";
import { passkeyRegistration } from "./webauthn-client";

export function PasskeyRegister() {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const [codes, setCodes] = useState<string[] | null>(null);
  const [added, setAdded] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "");
    setPending(true);
    setError(undefined);
    const result = await passkeyRegistration<{ recoveryCodes: string[] | null }>(name);
    setPending(false);
    if (!result.ok) return setError(result.message);
    setAdded(true);
    setCodes(result.data.recoveryCodes);
    router.refresh();
  }

  return (
    <div className="flex flex-col gap-4">
      {added && <FormAlert tone="success">Passkey added.</FormAlert>}
      {codes && <RecoveryCodes codes={codes} />}
      <form onSubmit={onSubmit} className="flex max-w-md flex-col gap-3">
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
    </div>
  );
}
