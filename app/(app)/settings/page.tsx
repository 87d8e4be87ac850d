import type { Metadata } from "next";

import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { card, PageHeader } from "@/components/ui/page-header";
import { TextField } from "@/components/ui/text-field";
import { db } from "@/lib/db/client";
import { requirePageUser } from "@/lib/http/page";
import { getSettings } from "@/lib/settings/settings";

import { updateSecuritySettingsAction } from "./actions";

export const metadata: Metadata = { title: "Settings" };

/** The numeric settings, with the same bounds as their schema (lib/settings/update-settings.ts). */
const NUMBER_SETTINGS = [
  {
    name: "stepUpMinutes",
    label: "Re-authentication window for sensitive actions (minutes)",
    min: 1,
    max: 1440,
  },
  { name: "sessionIdleMinutes", label: "Sign out after inactivity (minutes)", min: 5, max: 1440 },
  { name: "sessionAbsoluteHours", label: "Longest session (hours)", min: 1, max: 720 },
] as const;

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
          {NUMBER_SETTINGS.map(({ name, label, min, max }) => (
            <TextField
              key={name}
              label={label}
              name={name}
              type="number"
              min={min}
              max={max}
              defaultValue={settings[name]}
              required
            />
          ))}
          <div>
            <SubmitButton>Save settings</SubmitButton>
          </div>
        </ActionForm>
      </section>
    </>
  );
}
