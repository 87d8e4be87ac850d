import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";

import { DecisionButton } from "@/components/interaction/decision-button";
import { AuthCard } from "@/components/ui/auth-card";
import { currentPageUser } from "@/lib/http/page";
import { readInteraction } from "@/lib/oidc/interaction";

export const metadata: Metadata = { title: "No access to this app" };

type Params = Promise<{ uid: string }>;

/** Someone signed in whom the app does not admit (issue 15 §1): told why; the app gets access_denied. */
export default async function InteractionDeniedPage({ params }: { params: Params }) {
  const { uid } = await params;
  const jar = await cookies();
  const interaction = await readInteraction(uid, jar.toString());
  if (!interaction) redirect(`/interaction/${encodeURIComponent(uid)}/expired`);
  const user = await currentPageUser();
  const { app } = interaction;
  return (
    <AuthCard
      title={`You can't sign in to ${app.name}`}
      subtitle={user ? `Signed in to Keyward as ${user.email}.` : undefined}
    >
      <div className="space-y-4 text-sm text-slate-700 dark:text-slate-300">
        <p>
          {app.name} admits only members of{" "}
          {app.roleNames.length > 0 ? (
            <strong>{app.roleNames.join(", ")}</strong>
          ) : (
            "roles chosen by your administrators"
          )}
          . Ask an administrator for access if you need it.
        </p>
        <DecisionButton uid={uid} decision="leave" label={`Return to ${app.name}`} />
      </div>
    </AuthCard>
  );
}
