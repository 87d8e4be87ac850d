"use client";

import { useRouter } from "next/navigation";
import type { FormEvent } from "react";

import { NewPasswordFields, passwordsDiffer } from "@/components/auth/new-password-fields";
import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";
import { TextField } from "@/components/ui/text-field";
import { useHydrated } from "@/components/ui/use-hydrated";
import { useJsonForm } from "@/components/ui/use-json-form";

export function SetupForm() {
  const router = useRouter();
  const hydrated = useHydrated();
  const { pending, error, fields, submit, fail } = useJsonForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const password = String(form.get("password") ?? "");
    if (passwordsDiffer(form)) {
      return fail(undefined, { confirm: "The two passwords differ." });
    }
    const created = await submit("/api/setup", {
      code: String(form.get("code") ?? ""),
      name: String(form.get("name") ?? ""),
      email: String(form.get("email") ?? ""),
      password,
    });
    if (created) router.replace("/login?setup=done");
  }

  return (
    <form method="post" onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
      {error && <FormAlert>{error}</FormAlert>}
      <TextField
        label="Setup code"
        name="code"
        autoComplete="off"
        required
        hint="Printed in the server log when Keyward started."
        error={fields.code}
      />
      <TextField label="Your name" name="name" autoComplete="name" required error={fields.name} />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        required
        error={fields.email}
      />
      <NewPasswordFields passwordError={fields.password} confirmError={fields.confirm} />
      <Button type="submit" pending={pending} disabled={!hydrated}>
        {pending ? "Creating the administrator…" : "Create administrator"}
      </Button>
    </form>
  );
}
