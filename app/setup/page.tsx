import type { Metadata } from "next";
import { redirect } from "next/navigation";

import { SetupForm } from "@/components/auth/setup-form";
import { AuthCard } from "@/components/ui/auth-card";
import { db } from "@/lib/db/client";
import { isSetupOpen } from "@/lib/setup/setup-state";

export const metadata: Metadata = { title: "Set up Keyward" };

export default async function SetupPage() {
  if (!(await isSetupOpen(db))) redirect("/login");
  return (
    <AuthCard
      title="Set up Keyward"
      subtitle="Create the first administrator. You need the one-time setup code from the server log."
    >
      <SetupForm />
    </AuthCard>
  );
}
