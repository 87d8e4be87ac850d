import type { Metadata } from "next";
import Link from "next/link";

import { ForgotPasswordForm } from "@/components/auth/forgot-password-form";
import { AuthCard } from "@/components/ui/auth-card";
import { mailConfigured } from "@/lib/mail/mailer";

import { requestPasswordResetAction } from "./actions";

export const metadata: Metadata = { title: "Forgot your password?" };

export default function ForgotPasswordPage() {
  return (
    <AuthCard title="Forgot your password?" subtitle="Get a one-time link to choose a new one.">
      {mailConfigured() ? (
        <ForgotPasswordForm action={requestPasswordResetAction} />
      ) : (
        <p className="text-sm">
          This Keyward does not send email. Ask an administrator for a password reset link: they can create
          one on your user page.
        </p>
      )}
      <p className="mt-6 text-sm">
        <Link href="/login" className="text-indigo-700 underline dark:text-indigo-400">
          Back to sign in
        </Link>
      </p>
    </AuthCard>
  );
}
