"use client";

import { useId } from "react";

import { CheckboxField } from "@/components/ui/checkbox-field";
import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { selectClass } from "@/components/ui/page-header";
import { TextField } from "@/components/ui/text-field";
import type { ActionState } from "@/lib/http/action";

type Action = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/** What the edit form starts from. */
export type ApiFormValues = {
  id: string;
  name: string;
  identifier: string;
  description: string;
  ownerEmail: string;
  accessTokenTtlSeconds: number;
  allowPersonalTokens: boolean;
  requireDpop: boolean;
  identifierLocked: boolean;
};

const LIFETIMES_MINUTES = [1, 5, 10, 15, 30, 60, 120, 240, 480, 720, 1440];

function minutesLabel(minutes: number): string {
  if (minutes % 60 === 0) return minutes === 60 ? "1 hour" : `${minutes / 60} hours`;
  return minutes === 1 ? "1 minute" : `${minutes} minutes`;
}

/**
 * The token lifetimes offered: whole minutes up to the cap the settings put on access tokens, plus
 * the API's current one. Values are seconds, what the shared schema reads.
 */
export function lifetimeOptions(capMinutes: number, currentSeconds?: number): [number, string][] {
  const minutes = new Set(LIFETIMES_MINUTES.filter((m) => m <= capMinutes));
  minutes.add(Math.min(15, capMinutes));
  minutes.add(capMinutes);
  const options = [...minutes].sort((a, b) => a - b).map((m): [number, string] => [m * 60, minutesLabel(m)]);
  if (currentSeconds !== undefined && !options.some(([seconds]) => seconds === currentSeconds)) {
    const label = currentSeconds % 60 === 0 ? minutesLabel(currentSeconds / 60) : `${currentSeconds} seconds`;
    options.push([currentSeconds, `${label} (current)`]);
    options.sort((a, b) => a[0] - b[0]);
  }
  return options;
}

/**
 * Register or edit an API: name, identifier (the `aud` of its tokens), description, owner, token
 * lifetime, whether personal tokens may carry its permissions and whether it takes only DPoP-bound
 * tokens. The identifier is fixed once a credential uses it: the field is then read-only and not sent.
 */
export function ApiForm({
  action,
  api,
  defaultOwner,
  capMinutes,
}: {
  action: Action;
  api?: ApiFormValues;
  /** The signed-in user's email: the owner unless changed. */
  defaultOwner: string;
  /** The access-token lifetime setting: no API's tokens live longer. */
  capMinutes: number;
}) {
  const options = lifetimeOptions(capMinutes, api?.accessTokenTtlSeconds);
  const ttl = api?.accessTokenTtlSeconds ?? Math.min(15, capMinutes) * 60;
  const ttlId = useId();
  return (
    <ActionForm
      action={action}
      hidden={api ? { apiId: api.id } : {}}
      label={api ? `Edit ${api.name}` : "Register an API"}
      className="flex max-w-2xl flex-col gap-4"
    >
      {(fields) => (
        <>
          <TextField
            label="Name"
            name="name"
            required
            maxLength={100}
            defaultValue={api?.name}
            placeholder="Orders API"
            error={fields.name}
          />
          {api?.identifierLocked ? (
            <TextField
              label="Identifier"
              value={api.identifier}
              readOnly
              hint="Fixed: tokens or clients already hold this API's permissions, and their audience is this identifier."
            />
          ) : (
            <TextField
              label="Identifier"
              name="identifier"
              required
              type="url"
              inputMode="url"
              maxLength={500}
              defaultValue={api?.identifier}
              placeholder="https://orders.example.com/"
              hint="An absolute URI: the audience (aud) of this API's tokens and the resource clients ask for. It cannot change once a token or client uses it."
              error={fields.identifier}
            />
          )}
          <TextField
            label="Description"
            name="description"
            maxLength={1000}
            defaultValue={api?.description}
            hint="What the API does, and who to ask about it."
            error={fields.description}
          />
          <TextField
            label="Owner"
            name="owner"
            type="email"
            maxLength={254}
            defaultValue={api?.ownerEmail || defaultOwner}
            hint="The person accountable for it, by email address (left blank: you). They may edit it and grant its permissions."
            error={fields.owner}
          />
          <div className="flex flex-col gap-1">
            <label htmlFor={ttlId} className="text-sm font-medium">
              Access-token lifetime
            </label>
            <select
              id={ttlId}
              name="accessTokenTtlSeconds"
              defaultValue={String(ttl)}
              aria-describedby={`${ttlId}-hint${fields.accessTokenTtlSeconds ? ` ${ttlId}-error` : ""}`}
              aria-invalid={fields.accessTokenTtlSeconds ? true : undefined}
              className={`${selectClass} max-w-xs`}
            >
              {options.map(([seconds, label]) => (
                <option key={seconds} value={seconds}>
                  {label}
                </option>
              ))}
            </select>
            <p id={`${ttlId}-hint`} className="text-xs text-slate-600 dark:text-slate-400">
              How long a token for this API works. At most {minutesLabel(capMinutes)}, the cap set under
              Settings.
            </p>
            {fields.accessTokenTtlSeconds && (
              <p id={`${ttlId}-error`} className="text-xs text-red-700 dark:text-red-400">
                {fields.accessTokenTtlSeconds}
              </p>
            )}
          </div>
          <CheckboxField
            name="allowPersonalTokens"
            label="Allow personal tokens"
            defaultChecked={api?.allowPersonalTokens ?? true}
            hint="People may mint personal tokens carrying this API's permissions (within their roles)."
          />
          <CheckboxField
            name="requireDpop"
            label="Accept only DPoP-bound tokens"
            defaultChecked={api?.requireDpop ?? false}
            hint="RFC 9449: Keyward issues this API only tokens bound to the caller's key, and its introspection reports personal tokens and unbound tokens inactive. The API itself should still check the DPoP proof sent with each token (RFC 9449 §7) against the key introspection reports (cnf.jkt)."
          />
          <div>
            <SubmitButton>{api ? "Save API" : "Register API"}</SubmitButton>
          </div>
        </>
      )}
    </ActionForm>
  );
}
