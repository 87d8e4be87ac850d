import type { Metadata } from "next";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";

import { DecisionButton } from "@/components/interaction/decision-button";
import { AppLogo } from "@/components/apps/app-logo";
import { AuthCard } from "@/components/ui/auth-card";
import { requirePageUser } from "@/lib/http/page";
import { readInteraction } from "@/lib/oidc/interaction";
import { scopeDescriptions } from "@/lib/oidc/scope-descriptions";

export const metadata: Metadata = { title: "Allow access" };

type Params = Promise<{ uid: string }>;

/**
 * A third-party app's consent (issue 15 §1): what it asks, in plain words, once; remembered until
 * the user revokes it.
 */
export default async function InteractionConsentPage({ params }: { params: Params }) {
  const { uid } = await params;
  const user = await requirePageUser();
  const interaction = await readInteraction(uid, (await cookies()).toString());
  if (!interaction) redirect(`/interaction/${encodeURIComponent(uid)}/expired`);
  const { app } = interaction;
  const asked = await scopeDescriptions(interaction.prompt.details);
  return (
    <AuthCard title={`Allow ${app.name} to use your account?`} subtitle={`Signed in as ${user.email}.`}>
      <div className="space-y-4 text-sm text-slate-700 dark:text-slate-300">
        {app.logoUrl && <AppLogo name={app.name} src={app.logoUrl} />}
        {app.homepageUrl && (
          <p>
            From{" "}
            <a
              className="text-indigo-700 underline dark:text-indigo-300"
              href={app.homepageUrl}
              rel="noreferrer"
            >
              {new URL(app.homepageUrl).host}
            </a>
            . Keyward did not write this app: allow it only if you trust it.
          </p>
        )}
        <h2 className="font-medium text-slate-900 dark:text-slate-100">{app.name} asks to</h2>
        <ul className="list-disc space-y-1 pl-5">
          {asked.map((line) => (
            <li key={line}>{line}</li>
          ))}
        </ul>
        <p>You can take this back at any time in My account.</p>
        <div className="grid gap-2 sm:grid-cols-2">
          <DecisionButton uid={uid} decision="deny" label="Don't allow" variant="secondary" />
          <DecisionButton uid={uid} decision="allow" label="Allow" />
        </div>
      </div>
    </AuthCard>
  );
}
