import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { LoginForm } from "@/components/auth/login-form";
import { AuthCard } from "@/components/ui/auth-card";
import { getConfig } from "@/lib/config/env";
import { db } from "@/lib/db/client";
import { safeCallbackUrl } from "@/lib/http/callback-url";
import { currentPageUser } from "@/lib/http/page";
import { isSetupOpen } from "@/lib/setup/setup-state";

export const metadata: Metadata = { title: "Sign in" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function LoginPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams;
  // Resolved against KEYWARD_URL: only a page of this Keyward, for the signed-in redirect below and
  // for the form's router.replace after sign-in.
  const callbackUrl = safeCallbackUrl(params.callbackUrl, getConfig().publicUrl);
  if (await isSetupOpen(db)) redirect("/setup");
  if (await currentPageUser()) redirect(callbackUrl);
  const notice =
    params.setup === "done"
      ? "Administrator created. Sign in with your new account."
      : params.invited
        ? "Your password is set. Sign in to continue."
        : params.reset
          ? "Your new password is set and every session has ended. Sign in to continue."
          : params.signedOut
            ? "You have signed out."
            : undefined;
  const email = typeof params.email === "string" ? params.email.slice(0, 254) : undefined;
  return (
    <AuthCard title="Sign in" subtitle="Use your Keyward account.">
      <LoginForm callbackUrl={callbackUrl} notice={notice} email={email} />
    </AuthCard>
  );
}
