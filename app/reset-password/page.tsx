import type { Metadata } from "next";

import { OneTimeLinkPasswordForm } from "@/components/auth/one-time-link-password-form";
import { AuthCard } from "@/components/ui/auth-card";

import { resetPasswordAction } from "./actions";

export const metadata: Metadata = { title: "Reset password", referrer: "no-referrer" };

export default function ResetPasswordPage() {
  return (
    <AuthCard
      title="Choose a new password"
      subtitle="Every session of your account ends. Sign in again afterwards, with your second factor if you use one."
    >
      <OneTimeLinkPasswordForm
        action={resetPasswordAction}
        linkName="password reset link"
        passwordLabel="New password"
        notice="Your personal API tokens are revoked too: whoever knew the old password may have minted some. API clients you own keep working; rotate a client's secret if it may have leaked."
      />
    </AuthCard>
  );
}
