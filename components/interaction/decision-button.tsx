"use client";

import { useState } from "react";

import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";

/**
 * One decision about an app's sign-in, posted to app/interaction/<uid>/decision; the browser then
 * goes where the answer says. Not a plain form post: the provider's last redirect goes to the app,
 * another origin, which the CSP's `form-action 'self'` forbids a form submission to reach.
 */
export function DecisionButton({
  uid,
  decision,
  label,
  variant = "primary",
}: {
  uid: string;
  decision: "allow" | "deny" | "leave" | "cancel";
  label: string;
  variant?: "primary" | "secondary";
}) {
  const [pending, setPending] = useState(false);
  const [failed, setFailed] = useState(false);

  async function decide() {
    setPending(true);
    setFailed(false);
    try {
      const response = await fetch(`/interaction/${encodeURIComponent(uid)}/decision`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ decision }),
      });
      const answer = (await response.json()) as { location?: unknown };
      if (!response.ok || typeof answer.location !== "string") throw new Error("no location");
      window.location.assign(answer.location);
    } catch {
      setFailed(true);
      setPending(false);
    }
  }

  return (
    <div className="flex flex-col gap-2">
      <Button type="button" variant={variant} pending={pending} onClick={decide} className="w-full">
        {label}
      </Button>
      {failed && (
        <FormAlert>That did not go through. Try again, or go back to the app and sign in again.</FormAlert>
      )}
    </div>
  );
}
