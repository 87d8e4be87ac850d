import type { Metadata } from "next";

import { ActionForm, ConfirmSubmit, SubmitButton } from "@/components/ui/action-form";
import { formatDate } from "@/components/ui/format";
import { card, PageHeader } from "@/components/ui/page-header";
import { TextField } from "@/components/ui/text-field";
import { db } from "@/lib/db/client";
import { requirePageUser } from "@/lib/http/page";
import { listSigningKeys } from "@/lib/oauth/signing-keys";
import { getSettings, type Settings } from "@/lib/settings/settings";

import {
  rotateSigningKeyAction,
  updateAuditSettingsAction,
  updateCredentialSettingsAction,
  updateSecuritySettingsAction,
} from "./actions";

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

const CREDENTIAL_SETTINGS = [
  { name: "tokenMaxLifetimeDays", label: "Longest personal token lifetime (days)", min: 1, max: 3650 },
  { name: "accessTokenMinutes", label: "Client access token lifetime (minutes)", min: 1, max: 1440 },
  { name: "signingKeyRotationDays", label: "Replace the signing key every (days)", min: 1, max: 3650 },
] as const;

export default async function SettingsPage() {
  const principal = await requirePageUser("settings.write");
  const settings = await getSettings(db, { fresh: true });
  const keys = await listSigningKeys(principal);
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
          <NumberFields fields={NUMBER_SETTINGS} values={settings} />
          <div>
            <SubmitButton>Save security settings</SubmitButton>
          </div>
        </ActionForm>
      </section>
      <section aria-labelledby="credentials" className={`${card} mt-6`}>
        <h2 id="credentials" className="mb-4 text-lg font-semibold">
          API credentials
        </h2>
        <ActionForm
          action={updateCredentialSettingsAction}
          label="API credential settings"
          className="flex max-w-xl flex-col gap-4"
        >
          <NumberFields fields={CREDENTIAL_SETTINGS} values={settings} />
          <label className="flex items-start gap-2 text-sm">
            <input
              type="checkbox"
              name="tokenAllowNoExpiry"
              defaultChecked={settings.tokenAllowNoExpiry}
              className="mt-1"
            />
            <span>
              <span className="font-medium">Allow personal tokens that never expire</span>
              <span className="block text-xs text-slate-600 dark:text-slate-400">
                Not recommended: a forgotten token then stays valid until someone revokes it.
              </span>
            </span>
          </label>
          <div>
            <SubmitButton>Save credential settings</SubmitButton>
          </div>
        </ActionForm>
      </section>
      <section aria-labelledby="audit" className={`${card} mt-6`}>
        <h2 id="audit" className="mb-4 text-lg font-semibold">
          Audit log
        </h2>
        <ActionForm
          action={updateAuditSettingsAction}
          label="Audit settings"
          className="flex max-w-xl flex-col gap-4"
        >
          <TextField
            label="Keep events for (days)"
            name="auditRetentionDays"
            type="number"
            min={0}
            max={36500}
            defaultValue={String(settings.auditRetentionDays)}
            hint="0 keeps every event. Older events are pruned at start-up and by npm run audit:prune, behind a signed checkpoint that keeps the chain verifiable."
            required
          />
          <div>
            <SubmitButton>Save audit settings</SubmitButton>
          </div>
        </ActionForm>
      </section>
      <section aria-labelledby="keys" className={`${card} mt-6`}>
        <h2 id="keys" className="mb-2 text-lg font-semibold">
          Signing keys
        </h2>
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
          Client access tokens are signed with ES256. Resource servers verify them with the keys published at{" "}
          <a
            href="/.well-known/jwks.json"
            className="font-mono text-indigo-700 underline dark:text-indigo-400"
          >
            /.well-known/jwks.json
          </a>
          ; a replaced key stays published until the last token it signed has expired.
        </p>
        {keys.length === 0 ? (
          <p className="mb-4 text-sm">No key yet: the first is made when a client first asks for a token.</p>
        ) : (
          <ul className="mb-4 flex flex-col gap-1 text-sm">
            {keys.map((key) => (
              <li key={key.kid}>
                <span className="font-mono text-xs">{key.kid}</span> · {key.alg} · created{" "}
                {formatDate(key.createdAt)}
                {key.retiredAt
                  ? ` · replaced, published until ${formatDate(key.publishUntil)}`
                  : " · signing new tokens"}
              </li>
            ))}
          </ul>
        )}
        <ActionForm action={rotateSigningKeyAction} label="Rotate the signing key">
          <ConfirmSubmit
            label="Rotate signing key now"
            title="Rotate the signing key?"
            body="New tokens are signed with a new key at once. Tokens already issued stay valid until they expire."
            confirmLabel="Rotate key"
          />
        </ActionForm>
      </section>
    </>
  );
}

type NumberSetting = { name: keyof Settings; label: string; min: number; max: number };

/** Numeric settings as labelled fields with the bounds of their schema. */
function NumberFields({ fields, values }: { fields: readonly NumberSetting[]; values: Settings }) {
  return fields.map(({ name, label, min, max }) => (
    <TextField
      key={name}
      label={label}
      name={name}
      type="number"
      min={min}
      max={max}
      defaultValue={String(values[name])}
      required
    />
  ));
}
