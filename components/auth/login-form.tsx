"use client";

import { signIn } from "next-auth/react";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";

import { passkeyAssertion } from "@/components/mfa/webauthn-client";
import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";
import { TextField } from "@/components/ui/text-field";
import { useHydrated } from "@/components/ui/use-hydrated";
import { useJsonForm } from "@/components/ui/use-json-form";
import { safeCallbackUrl } from "@/lib/http/callback-url";

type Factor = "totp" | "webauthn" | "recovery";
type PasswordStep = { next: "complete" | "mfa"; factors: Factor[] };

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
  const hydrated = useHydrated();
  const { pending, error, fields, submit, fail } = useJsonForm();
  const [factors, setFactors] = useState<Factor[] | null>(null);
  const [method, setMethod] = useState<"totp" | "recovery">("totp");
  const [passkeyPending, setPasskeyPending] = useState(false);

  // Last step: exchange the finished attempt for a session.
  async function finish() {
    const result = await signIn("attempt", { redirect: false });
    if (!result?.ok) return fail("Your sign-in could not be completed. Start again.");
    // The server sent a checked path; checking again here, against the page's own origin, keeps
    // this navigation safe whoever renders the form.
    const target = safeCallbackUrl(callbackUrl, window.location.origin);
    // An app's sign-in (app/interaction) continues through the OpenID provider to the app: a
    // document navigation, which Next's client router cannot follow across those redirects.
    if (target.startsWith("/interaction/")) return window.location.assign(target);
    router.replace(target);
    router.refresh();
  }

  async function onPassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    // Step 1: the password. The server keeps the attempt; no session exists yet.
    const step = await submit<PasswordStep>("/api/auth/sign-in/password", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
    });
    if (!step) return;
    if (step.next === "mfa") {
      fail(undefined);
      setMethod(step.factors.includes("totp") ? "totp" : "recovery");
      return setFactors(step.factors);
    }
    await finish();
  }

  /** A passkey or security key: as the second step, or on its own (passwordless). */
  async function withPasskey(kind: "second-factor" | "passwordless") {
    setPasskeyPending(true);
    fail(undefined);
    const result =
      kind === "second-factor"
        ? await passkeyAssertion("/api/auth/sign-in/webauthn/options", "/api/auth/sign-in/webauthn/verify")
        : await passkeyAssertion("/api/auth/passkey/options", "/api/auth/passkey/verify");
    setPasskeyPending(false);
    if (!result.ok) return fail(result.message);
    await finish();
  }

  async function onCode(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code") ?? "");
    const step = await submit<{ next: string }>("/api/auth/sign-in/factor", { method, code });
    if (step) await finish();
  }

  if (factors) {
    return (
      <form method="post" onSubmit={onCode} className="flex flex-col gap-4" noValidate>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          {method === "totp"
            ? "Enter the 6-digit code from your authenticator app."
            : "Enter one of your recovery codes. Each works once."}
        </p>
        {error && <FormAlert>{error}</FormAlert>}
        {method === "totp" ? (
          <TextField
            key="totp"
            label="Authenticator code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={7}
            required
            autoFocus
          />
        ) : (
          <TextField
            key="recovery"
            label="Recovery code"
            name="code"
            autoComplete="off"
            maxLength={40}
            required
            autoFocus
          />
        )}
        <Button type="submit" pending={pending} disabled={!hydrated}>
          {pending ? "Checking…" : "Continue"}
        </Button>
        {factors.includes("webauthn") && (
          <Button
            type="button"
            variant="secondary"
            pending={passkeyPending}
            onClick={() => withPasskey("second-factor")}
          >
            Use your passkey or security key
          </Button>
        )}
        {factors.includes("totp") && factors.includes("recovery") && (
          <button
            type="button"
            className="text-sm text-indigo-700 underline dark:text-indigo-400"
            onClick={() => setMethod(method === "totp" ? "recovery" : "totp")}
          >
            {method === "totp" ? "Use a recovery code instead" : "Use your authenticator app instead"}
          </button>
        )}
      </form>
    );
  }

  return (
    <form method="post" onSubmit={onPassword} className="flex flex-col gap-4" noValidate>
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
      <Link
        href="/forgot-password"
        className="self-end text-sm text-indigo-700 underline dark:text-indigo-400"
      >
        Forgot your password?
      </Link>
      <Button type="submit" pending={pending} disabled={!hydrated}>
        {pending ? "Signing in…" : "Sign in"}
      </Button>
      <div className="flex items-center gap-3 text-xs text-slate-600 dark:text-slate-400" aria-hidden="true">
        <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" /> or{" "}
        <span className="h-px flex-1 bg-slate-200 dark:bg-slate-700" />
      </div>
      <Button
        type="button"
        variant="secondary"
        pending={passkeyPending}
        disabled={!hydrated}
        onClick={() => withPasskey("passwordless")}
      >
        Sign in with a passkey
      </Button>
    </form>
  );
}
