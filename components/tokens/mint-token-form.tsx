"use client";

import { useState } from "react";

import type { ShownSecret } from "@/components/credentials/secret-panel";
import { ApiPermissionPicker, type CatalogLoader } from "@/components/credentials/api-permission-picker";
import { SecretPanel } from "@/components/credentials/secret-panel";
import { ScopeCheckboxes } from "@/components/credentials/scope-checkboxes";
import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { selectClass } from "@/components/ui/page-header";
import { TextField } from "@/components/ui/text-field";
import type { CatalogGroup } from "@/lib/apis/permission-catalog";
import type { ActionState } from "@/lib/http/action";
import type { Permission } from "@/lib/policy/permissions";

type Props = {
  action: (state: ActionState<ShownSecret>, form: FormData) => Promise<ActionState<ShownSecret>>;
  held: Permission[];
  maxDays: number;
  allowNoExpiry: boolean;
  /** Other APIs' permissions (the catalog's first page and its loader); absent: Keyward's only. */
  apis?: { groups: CatalogGroup[]; nextCursor: string | null; load: CatalogLoader };
};

export function MintTokenForm({ action, held, maxDays, allowNoExpiry, apis }: Props) {
  const [expiration, setExpiration] = useState(String(Math.min(30, maxDays)));
  const days = [7, 30, 60, 90].filter((n) => n <= maxDays);
  const today = new Date();
  const latest = new Date(today.getTime() + maxDays * 86_400_000).toISOString().slice(0, 10);
  const tomorrow = new Date(today.getTime() + 86_400_000).toISOString().slice(0, 10);
  return (
    <ActionForm
      action={action}
      label="New token"
      className="flex max-w-2xl flex-col gap-4"
      result={(data) => (
        <SecretPanel label="Your new token" secret={data.secret} example={data.example} note={data.note} />
      )}
    >
      {(fields) => (
        <>
          <TextField
            label="Name"
            name="name"
            required
            maxLength={100}
            hint="What it is for, e.g. “CI deploy” or “reporting script”."
            error={fields.name}
          />
          <ScopeCheckboxes held={held} error={fields.scopes} legend="Keyward scopes" />
          {apis && (
            <ApiPermissionPicker
              groups={apis.groups}
              nextCursor={apis.nextCursor}
              load={apis.load}
              legend="Permissions of other APIs (only what your roles give you, at APIs that allow personal tokens)"
              error={fields.apiPermissionIds}
            />
          )}
          <div className="flex flex-wrap items-end gap-4">
            <div className="flex flex-col gap-1">
              <label htmlFor="expiration" className="text-sm font-medium">
                Expires
              </label>
              <select
                id="expiration"
                name="expiration"
                value={expiration}
                onChange={(event) => setExpiration(event.target.value)}
                className={selectClass}
                aria-describedby="expiration-hint"
              >
                {days.map((n) => (
                  <option key={n} value={String(n)}>
                    In {n} days
                  </option>
                ))}
                <option value="custom">On a date…</option>
                {allowNoExpiry && <option value="never">Never</option>}
              </select>
              <p id="expiration-hint" className="text-xs text-slate-600 dark:text-slate-400">
                {fields.expiration ?? `At most ${maxDays} days (set by an administrator).`}
              </p>
            </div>
            {expiration === "custom" && (
              <TextField
                label="Last day"
                name="expiresOn"
                type="date"
                required
                min={tomorrow}
                max={latest}
                error={fields.expiresOn}
              />
            )}
          </div>
          <SubmitButton>Create token</SubmitButton>
        </>
      )}
    </ActionForm>
  );
}
