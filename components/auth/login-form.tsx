"use client";

import { signIn } from "next-auth/react";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";

import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";
import { TextField } from "@/components/ui/text-field";
import { useJsonForm } from "@/components/ui/use-json-form";

export function LoginForm({
  callbackUrl,
  notice,
  email,
}: {
  callbackUrl: string;
  notice?: string;
  email?: string;
}) {
  const router = useRouter();
  const { pending, error, fields, submit, fail } = useJsonForm();

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    // Step 1: the password. The server keeps the attempt; no session exists yet.
    const step = await submit<{ next: string }>("/api/auth/sign-in/password", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
    });
    if (!step) return;
    // Last step: exchange the finished attempt for a session.
    const result = await signIn("attempt", { redirect: false });
    if (!result?.ok) return fail("Your sign-in could not be completed. Start again.");
    router.replace(callbackUrl);
    router.refresh();
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-col gap-4" noValidate>
      {notice && !error && <FormAlert tone="success">{notice}</FormAlert>}
      {error && <FormAlert>{error}</FormAlert>}
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="username"
        defaultValue={email}
        required
        error={fields.email}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        error={fields.password}
      />
      <Button type="submit" pending={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}
