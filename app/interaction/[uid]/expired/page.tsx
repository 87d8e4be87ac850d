import type { Metadata } from "next";

import { AuthCard } from "@/components/ui/auth-card";

export const metadata: Metadata = { title: "Sign-in expired" };

/** An app's sign-in this browser cannot continue: expired, finished, opened elsewhere, or the app disabled. */
export default function InteractionExpiredPage() {
  return (
    <AuthCard
      title="This sign-in has expired"
      subtitle="It waited too long, was already used, or was opened in another browser."
    >
      <p className="text-sm text-slate-700 dark:text-slate-300">
        Go back to the app and choose to sign in again. Your Keyward account is unaffected.
      </p>
    </AuthCard>
  );
}
