import type { Metadata } from "next";

import { ActionForm, ConfirmSubmit, SubmitButton } from "@/components/ui/action-form";
import { formatDate } from "@/components/ui/format";
import { card, PageHeader } from "@/components/ui/page-header";
import { TextField } from "@/components/ui/text-field";
import { db } from "@/lib/db/client";
import { requirePageUser } from "@/lib/http/page";
import { listSigningKeys } from "@/lib/oauth/signing-keys";
import type { ActionState } from "@/lib/http/action";
import { getSettings, type Settings } from "@/lib/settings/settings";

import {
  endAllSessionsAction,
  rotateSigningKeyAction,
  updateAuditSettingsAction,
  updateCredentialSettingsAction,
  updateOverviewSettingsAction,
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
  { name: "signingKeyRotationDays", label: "Replace the signing keys every (days)", min: 1, max: 3650 },
] as const;

const AUDIT_SETTINGS = [
  {
    name: "auditRetentionDays",
    label: "Keep events for (days)",
    min: 0,
    max: 36500,
    hint: "0 keeps every event. Older events are pruned at start-up and by npm run audit:prune, behind a signed checkpoint that keeps the chain verifiable.",
  },
] as const;

const OVERVIEW_SETTINGS = [
  {
    name: "idleCredentialDays",
    label: "A token or client is idle after (days unused)",
    min: 7,
    max: 3650,
    hint: "Also the window a permission must have been used in, or the overview offers to narrow it away.",
  },
  {
    name: "dormantAccountDays",
    label: "An account is dormant after (days without sign-in)",
    min: 7,
    max: 3650,
  },
  { name: "secretRotationDays", label: "A secret is due for rotation at (days old)", min: 7, max: 3650 },
  {
    name: "failureAlertPerHour",
    label: "Alert when sign-in failures in one hour reach",
    min: 1,
    max: 1000000,
    hint: "Administrators who turned on failure alerts in My account get one email per hour while it lasts (needs SMTP).",
  },
] as const;

export default async function SettingsPage() {
  const principal = await requirePageUser("settings.write");
  const settings = await getSettings(db, { fresh: true });
  const keys = await listSigningKeys(principal);
  return (
    <>
      <PageHeader title="Settings" description="Security policy for everyone who signs in to Keyward." />
      <SettingsForm
        id="security"
        title="Security"
        action={updateSecuritySettingsAction}
        submit="Save security settings"
      >
        <CheckboxSetting
          name="mfaRequiredForAll"
          checked={settings.mfaRequiredForAll}
          label="Require MFA for everyone"
          hint="Users without a second factor must set one up before they can do anything else. Roles can also require it."
        />
        <NumberFields fields={NUMBER_SETTINGS} values={settings} />
      </SettingsForm>
      <SettingsForm
        id="credentials"
        title="API credentials"
        action={updateCredentialSettingsAction}
        submit="Save credential settings"
      >
        <NumberFields fields={CREDENTIAL_SETTINGS} values={settings} />
        <CheckboxSetting
          name="tokenAllowNoExpiry"
          checked={settings.tokenAllowNoExpiry}
          label="Allow personal tokens that never expire"
          hint="Not recommended: a forgotten token then stays valid until someone revokes it."
        />
      </SettingsForm>
      <SettingsForm
        id="overview"
        title="Security overview"
        action={updateOverviewSettingsAction}
        submit="Save overview settings"
      >
        <NumberFields fields={OVERVIEW_SETTINGS} values={settings} />
      </SettingsForm>
      <SettingsForm
        id="audit"
        title="Audit log"
        action={updateAuditSettingsAction}
        submit="Save audit settings"
      >
        <NumberFields fields={AUDIT_SETTINGS} values={settings} />
      </SettingsForm>
      <section aria-labelledby="everyone" className={`${card} mb-6`}>
        <h2 id="everyone" className="mb-2 text-lg font-semibold">
          Sessions
        </h2>
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
          After a suspected breach, sign every user out of every browser at once; yours stays signed in. API
          tokens and clients keep working: revoke those on their own pages.
        </p>
        <ActionForm action={endAllSessionsAction} label="Sign out every user">
          <ConfirmSubmit
            label="Sign out every user"
            title="Sign out every user?"
            body="Every session but yours ends at once. Everyone has to sign in again, with their second factor."
            confirmLabel="Sign everyone out"
          />
        </ActionForm>
      </section>
      <section aria-labelledby="keys" className={card}>
        <h2 id="keys" className="mb-2 text-lg font-semibold">
          Signing keys
        </h2>
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
          Keyward keeps one key of each kind: an ES256 key signs access tokens, an RS256 key signs the ID
          tokens of apps that sign in with Keyward (apps may ask for ES256 ID tokens instead). Resource
          servers and apps verify them with the keys published at{" "}
          <a
            href="/.well-known/jwks.json"
            className="font-mono text-indigo-700 underline dark:text-indigo-400"
          >
            /.well-known/jwks.json
          </a>
          ; a replaced key stays published until the last token it signed has expired.
        </p>
        {keys.length === 0 ? (
          <p className="mb-4 text-sm">No keys yet: both are made when the first token is signed.</p>
        ) : (
          <ul className="mb-4 flex flex-col gap-1 text-sm">
            {keys.map((key) => (
              <li key={key.kid}>
                <span className="font-medium">{keyPurpose(key.alg)}</span> ·{" "}
                <span className="font-mono text-xs">{key.kid}</span> · created {formatDate(key.createdAt)}
                {key.retiredAt
                  ? ` · replaced, published until ${formatDate(key.publishUntil)}`
                  : " · signing new tokens"}
              </li>
            ))}
          </ul>
        )}
        <ActionForm action={rotateSigningKeyAction} label="Rotate the signing keys">
          <ConfirmSubmit
            label="Rotate signing keys now"
            title="Rotate the signing keys?"
            body="Both keys, RS256 and ES256, are replaced: new access tokens and ID tokens are signed with the new keys at once. Tokens already issued stay valid until they expire."
            confirmLabel="Rotate keys"
          />
        </ActionForm>
      </section>
    </>
  );
}

/** What a signing key's algorithm is for, as the key list says it. */
function keyPurpose(alg: string): string {
  if (alg === "RS256") return "RS256 · ID tokens";
  if (alg === "ES256") return "ES256 · access tokens";
  return alg;
}

type SettingsAction = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/** One group of settings: a titled card holding one form and its save button. */
function SettingsForm({
  id,
  title,
  action,
  submit,
  children,
}: {
  id: string;
  title: string;
  action: SettingsAction;
  submit: string;
  children: React.ReactNode;
}) {
  return (
    <section aria-labelledby={id} className={`${card} mb-6`}>
      <h2 id={id} className="mb-4 text-lg font-semibold">
        {title}
      </h2>
      <ActionForm action={action} label={`${title} settings`} className="flex max-w-xl flex-col gap-4">
        {children}
        <div>
          <SubmitButton>{submit}</SubmitButton>
        </div>
      </ActionForm>
    </section>
  );
}

function CheckboxSetting({
  name,
  checked,
  label,
  hint,
}: {
  name: keyof Settings;
  checked: boolean;
  label: string;
  hint: string;
}) {
  return (
    <label className="flex items-start gap-2 text-sm">
      <input type="checkbox" name={name} defaultChecked={checked} className="mt-1" />
      <span>
        <span className="font-medium">{label}</span>
        <span className="block text-xs text-slate-600 dark:text-slate-400">{hint}</span>
      </span>
    </label>
  );
}

type NumberSetting = { name: keyof Settings; label: string; min: number; max: number; hint?: string };

/** Numeric settings as labelled fields with the bounds of their schema. */
function NumberFields({ fields, values }: { fields: readonly NumberSetting[]; values: Settings }) {
  return fields.map(({ name, label, min, max, hint }) => (
    <TextField
      key={name}
      label={label}
      name={name}
      type="number"
      min={min}
      max={max}
      defaultValue={String(values[name])}
      hint={hint}
      required
    />
  ));
}
