import type { Metadata } from "next";

import { OneTimeLinkPasswordForm } from "@/components/auth/one-time-link-password-form";
import { AuthCard } from "@/components/ui/auth-card";

import { acceptInvitationAction } from "./actions";

export const metadata: Metadata = { title: "Accept invitation", referrer: "no-referrer" };

export default function AcceptInvitationPage() {
  return (
    <AuthCard title="Welcome to Keyward" subtitle="Choose the password you will sign in with.">
      <OneTimeLinkPasswordForm action={acceptInvitationAction} linkName="invitation link" />
    </AuthCard>
  );
}
