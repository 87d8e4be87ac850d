"use client";

import { useId, useState } from "react";

import { AppSecret, type AppSecretShown } from "@/components/apps/app-secret";
import { ApiPermissionPicker, type CatalogLoader } from "@/components/credentials/api-permission-picker";
import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { CheckboxField } from "@/components/ui/checkbox-field";
import { TextField } from "@/components/ui/text-field";
import type { CatalogGroup } from "@/lib/apis/permission-catalog";
import { APP_KIND_LABELS, APP_KINDS, type AppKind } from "@/lib/apps/app-schemas";
import type { AppDetail } from "@/lib/apps/list-apps";
import type { ActionState } from "@/lib/http/action";

type Action<T> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;

/** An app as the edit form starts from: its registration, with roles by id and the owner by email. */
export type AppFormValues = Pick<
  AppDetail,
  | "id"
  | "kind"
  | "name"
  | "description"
  | "homepageUrl"
  | "logoUrl"
  | "redirectUris"
  | "postLogoutRedirectUris"
  | "backchannelLogoutUri"
  | "firstParty"
  | "restrictedToRoles"
  | "refreshTokens"
  | "requireDpop"
  | "accessTokenTtlSeconds"
  | "refreshTokenIdleSeconds"
  | "refreshTokenAbsoluteSeconds"
> & { signInRoleIds: string[]; ownerEmail: string };

export type AppFormApis = {
  groups: CatalogGroup[];
  nextCursor: string | null;
  chosen: CatalogGroup[];
  load: CatalogLoader;
};

const muted = "text-xs text-slate-600 dark:text-slate-400";
const box =
  "rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-sm shadow-sm aria-invalid:border-red-600 dark:border-slate-700 dark:bg-slate-900";

/** A labelled textarea of URIs, one per line (the action reads the lines as a list). */
function UriLines({
  label,
  name,
  hint,
  defaultValue,
  error,
  required,
}: {
  label: string;
  name: string;
  hint: string;
  defaultValue: string[];
  error?: string;
  required?: boolean;
}) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <textarea
        id={id}
        name={name}
        rows={3}
        required={required}
        defaultValue={defaultValue.join("\n")}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-hint${error ? ` ${id}-error` : ""}`}
        className={box}
      />
      <p id={`${id}-hint`} className={muted}>
        {hint}
      </p>
      {error && (
        <p id={`${id}-error`} className="text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}

/** The first error among a list field's items (`redirectUris.2`), or the field's own. */
function listError(fields: Record<string, string>, name: string): string | undefined {
  if (fields[name]) return fields[name];
  const key = Object.keys(fields).find((candidate) => candidate.startsWith(`${name}.`));
  if (!key) return undefined;
  const index = Number(key.slice(name.length + 1));
  return `Line ${index + 1}: ${fields[key]}`;
}

/**
 * Register (showing the client ID, and a web app's secret once) or edit an application: its kind
 * (fixed once registered), redirect URIs, consent-screen details, who may sign in, refresh tokens
 * and lifetimes, and the Protected APIs' permissions it may ask for.
 */
export function AppForm({
  action,
  app,
  roles,
  apis,
  defaultOwner,
}: {
  action: Action<AppSecretShown> | Action<undefined>;
  app?: AppFormValues;
  /** Roles to restrict sign-in to (ids and names). */
  roles: { id: string; name: string }[];
  apis: AppFormApis;
  defaultOwner: string;
}) {
  const [restricted, setRestricted] = useState(app?.restrictedToRoles ?? false);
  const [kind, setKind] = useState<AppKind>(app?.kind ?? "web");
  return (
    <ActionForm
      action={action as Action<AppSecretShown | undefined>}
      hidden={app ? { appId: app.id } : {}}
      label={app ? `Edit ${app.name}` : "Register an application"}
      className="flex max-w-2xl flex-col gap-5"
      result={(data) => (data ? <AppSecret shown={data} /> : null)}
    >
      {(fields) => (
        <>
          {app ? (
            <p className="text-sm">
              <span className="font-medium">Kind:</span> {APP_KIND_LABELS[app.kind]}
            </p>
          ) : (
            <fieldset className="flex flex-col gap-2">
              <legend className="mb-1 text-sm font-medium">Kind of app</legend>
              {APP_KINDS.map((value) => (
                <label key={value} className="flex items-start gap-2 text-sm">
                  <input
                    type="radio"
                    name="kind"
                    value={value}
                    checked={kind === value}
                    onChange={() => setKind(value)}
                    className="mt-1"
                  />
                  <span>{APP_KIND_LABELS[value]}</span>
                </label>
              ))}
              {fields.kind && <p className="text-xs text-red-700 dark:text-red-400">{fields.kind}</p>}
            </fieldset>
          )}
          <TextField
            label="Name"
            name="name"
            required
            maxLength={100}
            defaultValue={app?.name}
            hint="Users see it when they sign in and on their Connected apps page."
            error={fields.name}
          />
          <TextField
            label="Description"
            name="description"
            maxLength={1000}
            defaultValue={app?.description}
            error={fields.description}
          />
          <UriLines
            label="Redirect URIs"
            name="redirectUris"
            required
            defaultValue={app?.redirectUris ?? []}
            hint={
              kind === "native"
                ? "One per line, matched exactly: https://…, http://127.0.0.1/callback (any port, RFC 8252) or com.example.app:/callback."
                : "One per line, matched exactly: https://app.example.com/callback (http:// only on localhost while developing)."
            }
            error={listError(fields, "redirectUris")}
          />
          <UriLines
            label="Sign-out redirect URIs"
            name="postLogoutRedirectUris"
            defaultValue={app?.postLogoutRedirectUris ?? []}
            hint="Where the app may send users after they sign out (OpenID Connect RP-Initiated Logout). Optional."
            error={listError(fields, "postLogoutRedirectUris")}
          />
          <TextField
            label="Back-channel logout URI"
            name="backchannelLogoutUri"
            type="url"
            defaultValue={app?.backchannelLogoutUri ?? ""}
            hint="Keyward calls it when a user signs out of Keyward, so the app ends its session too. Optional."
            error={fields.backchannelLogoutUri}
          />
          <TextField
            label="Homepage URL"
            name="homepageUrl"
            type="url"
            defaultValue={app?.homepageUrl ?? ""}
            hint="Shown on the consent screen. Optional."
            error={fields.homepageUrl}
          />
          <TextField
            label="Logo URL"
            name="logoUrl"
            type="url"
            defaultValue={app?.logoUrl ?? ""}
            hint="Shown on the consent screen (https). Optional."
            error={fields.logoUrl}
          />
          <TextField
            label="Owner"
            name="owner"
            type="email"
            defaultValue={app?.ownerEmail ?? defaultOwner}
            hint="The person accountable for this app."
            error={fields.owner}
          />
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm font-medium">Consent and sessions</legend>
            <CheckboxField
              name="firstParty"
              label="First-party app"
              defaultChecked={app?.firstParty ?? false}
              hint="Your organization's own app: users are not asked to consent. Leave it off for third-party apps: users consent once, and can revoke it."
            />
            <CheckboxField
              name="refreshTokens"
              label="May receive refresh tokens"
              defaultChecked={app?.refreshTokens ?? true}
              hint="A third-party app only when the user consents to offline access."
            />
            <CheckboxField
              name="requireDpop"
              label="Require DPoP (sender-constrained tokens)"
              defaultChecked={app?.requireDpop ?? false}
              hint="RFC 9449: the app proves a key of its own at every code exchange and refresh, so its access tokens, and a single-page or native app's refresh tokens, are useless to anyone who copies them. Its OpenID Connect library must support DPoP (openid-client does)."
            />
          </fieldset>
          <fieldset className="flex flex-col gap-2">
            <legend className="mb-1 text-sm font-medium">Who may sign in</legend>
            <label className="flex items-start gap-2 text-sm">
              <input
                type="checkbox"
                name="restrictedToRoles"
                checked={restricted}
                onChange={(event) => setRestricted(event.target.checked)}
                className="mt-1"
              />
              <span>
                Only holders of the roles below (others see a page saying so, and the app is told
                access_denied).
              </span>
            </label>
            {restricted && (
              <div role="group" aria-label="Roles that may sign in" className="ml-6 flex flex-col gap-1">
                {roles.map((role) => (
                  <label key={role.id} className="flex items-center gap-2 text-sm">
                    <input
                      type="checkbox"
                      name="signInRoleIds"
                      value={role.id}
                      defaultChecked={app?.signInRoleIds.includes(role.id)}
                    />
                    {role.name}
                  </label>
                ))}
                {fields.signInRoleIds && (
                  <p className="text-xs text-red-700 dark:text-red-400">{fields.signInRoleIds}</p>
                )}
              </div>
            )}
          </fieldset>
          <fieldset className="grid grid-cols-1 gap-3 sm:grid-cols-3">
            <legend className="mb-1 text-sm font-medium">Lifetimes (seconds)</legend>
            <TextField
              label="Access token"
              name="accessTokenTtlSeconds"
              type="number"
              min={60}
              max={86400}
              defaultValue={app?.accessTokenTtlSeconds ?? 900}
              hint="At most the API's own and the setting's."
              error={fields.accessTokenTtlSeconds}
            />
            <TextField
              label="Refresh token, idle"
              name="refreshTokenIdleSeconds"
              type="number"
              min={300}
              defaultValue={app?.refreshTokenIdleSeconds ?? 1209600}
              hint="Unused this long, it stops (14 days)."
              error={fields.refreshTokenIdleSeconds}
            />
            <TextField
              label="Refresh token, absolute"
              name="refreshTokenAbsoluteSeconds"
              type="number"
              min={3600}
              defaultValue={app?.refreshTokenAbsoluteSeconds ?? 2592000}
              hint="After this, sign in again (30 days)."
              error={fields.refreshTokenAbsoluteSeconds}
            />
          </fieldset>
          <ApiPermissionPicker
            groups={apis.groups}
            nextCursor={apis.nextCursor}
            chosen={apis.chosen}
            load={apis.load}
            legend="Permissions of Protected APIs it may ask for on its users' behalf (never more than each user holds)"
            error={fields.apiPermissionIds}
          />
          <SubmitButton>{app ? "Save application" : "Register application"}</SubmitButton>
        </>
      )}
    </ActionForm>
  );
}
