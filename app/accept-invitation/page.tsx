import type { Metadata } from "next";

import { AcceptInvitationForm } from "@/components/auth/accept-invitation-form";
import { AuthCard } from "@/components/ui/auth-card";

import { acceptInvitationAction } from "./actions";

export const metadata: Metadata = { title: "Accept invitation", referrer: "no-referrer" };

export default function AcceptInvitationPage() {
  return (
    <AuthCard title="Welcome to Keyward" subtitle="Choose the password you will sign in with.">
      <AcceptInvitationForm action={acceptInvitationAction} />
    </AuthCard>
  );
}
