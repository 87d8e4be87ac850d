import type { Metadata } from "next";

import { VerifyEmailForm } from "@/components/auth/verify-email-form";
import { AuthCard } from "@/components/ui/auth-card";

import { verifyEmailAction } from "./actions";

export const metadata: Metadata = { title: "Verify your email address", referrer: "no-referrer" };

// Signed in or not: the link mailed to the address is the proof, whoever's browser opens it.
export default function VerifyEmailPage() {
  return (
    <AuthCard
      title="Verify your email address"
      subtitle="Press Verify to confirm that you received this link at your Keyward account's address."
    >
      <VerifyEmailForm action={verifyEmailAction} />
    </AuthCard>
  );
}
