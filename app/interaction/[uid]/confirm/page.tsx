import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";

import { ConfirmIdentity } from "@/components/interaction/confirm-identity";
import { DecisionButton } from "@/components/interaction/decision-button";
import { AuthCard } from "@/components/ui/auth-card";
import { requirePageUser } from "@/lib/http/page";
import { readInteraction } from "@/lib/oidc/interaction";

export const metadata: Metadata = { title: "Confirm it is you" };

type Params = Promise<{ uid: string }>;
type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Why the app asks, in the user's words (issue 15 §4). */
const REASONS: Record<string, string> = {
  login: "asks you to sign in again before it lets you in.",
  max_age: "asks for a recent sign-in, and yours was a while ago.",
  acr: "asks for a stronger sign-in: use a passkey or security key.",
};

export default async function InteractionConfirmPage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: SearchParams;
}) {
  const { uid } = await params;
  const user = await requirePageUser();
  const interaction = await readInteraction(uid, (await cookies()).toString());
  if (!interaction) redirect(`/interaction/${encodeURIComponent(uid)}/expired`);
  const reason = String((await searchParams).reason ?? "login");
  return (
    <AuthCard title="Confirm it is you" subtitle={`Signed in as ${user.email}.`}>
      <div className="space-y-4 text-sm text-slate-700 dark:text-slate-300">
        <p>
          {interaction.app.name} {REASONS[reason] ?? REASONS.login}
        </p>
        <ConfirmIdentity uid={uid} />
        <DecisionButton
          uid={uid}
          decision="cancel"
          label={`Cancel and return to ${interaction.app.name}`}
          variant="secondary"
        />
      </div>
    </AuthCard>
  );
}
