import type { Metadata } from "next";

import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { card, PageHeader } from "@/components/ui/page-header";
import { db } from "@/lib/db/client";
import { requirePageUser } from "@/lib/http/page";
import { getSettings } from "@/lib/settings/settings";

import { updateSecuritySettingsAction } from "./actions";

export const metadata: Metadata = { title: "Settings" };

const input =
  "w-28 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900";

export default async function SettingsPage() {
  await requirePageUser("settings.write");
  const settings = await getSettings(db, { fresh: true });
  return (
    <>
      <PageHeader title="Settings" description="Security policy for everyone who signs in to Keyward." />
      <section aria-labelledby="security" className={card}>
        <h2 id="security" className="mb-4 text-lg font-semibold">
          Security
        </h2>
        <ActionForm
          action={updateSecuritySettingsAction}
          label="Security settings"
          className="flex max-w-xl flex-col gap-4"
        >
          <label className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              name="mfaRequiredForAll"
              defaultChecked={settings.mfaRequiredForAll}
              className="mt-1"
            />
            <span>
              <span className="font-medium">Require MFA for everyone</span>
              <span className="block text-xs text-slate-600 dark:text-slate-400">
                Users without a second factor must set one up before they can do anything else. Roles can also
                require it.
              </span>
            </span>
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium">
            Re-authentication window for sensitive actions (minutes)
            <input
              name="stepUpMinutes"
              type="number"
              min={1}
              max={1440}
              defaultValue={settings.stepUpMinutes}
              required
              className={input}
            />
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium">
            Sign out after inactivity (minutes)
            <input
              name="sessionIdleMinutes"
              type="number"
              min={5}
              max={1440}
              defaultValue={settings.sessionIdleMinutes}
              required
              className={input}
            />
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium">
            Longest session (hours)
            <input
              name="sessionAbsoluteHours"
              type="number"
              min={1}
              max={720}
              defaultValue={settings.sessionAbsoluteHours}
              required
              className={input}
            />
          </label>
          <div>
            <SubmitButton>Save settings</SubmitButton>
          </div>
        </ActionForm>
      </section>
    </>
  );
}
