"use client";

import { useId, useRef } from "react";

import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import type { ActionState } from "@/lib/http/action";

/** What an import did: how many permissions it added, re-described, or found as they were. */
export type ImportSummary = { added: number; updated: number; unchanged: number };

type Action = (state: ActionState<ImportSummary>, form: FormData) => Promise<ActionState<ImportSummary>>;

const AREA =
  "min-h-40 rounded-md border border-slate-300 bg-white px-3 py-2 font-mono text-xs shadow-sm aria-invalid:border-red-600 dark:border-slate-700 dark:bg-slate-900";

function Summary({ summary }: { summary: ImportSummary }) {
  const rows: [string, number][] = [
    ["Added", summary.added],
    ["Description updated", summary.updated],
    ["Already there, unchanged", summary.unchanged],
  ];
  return (
    <div
      role="status"
      className="rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-800 dark:bg-emerald-950/40"
    >
      <p className="font-medium">Import done</p>
      <dl className="mt-2 grid grid-cols-[max-content_auto] gap-x-4 gap-y-1">
        {rows.map(([label, n]) => (
          <div key={label} className="contents">
            <dt>{label}</dt>
            <dd className="tabular-nums">{n}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

/**
 * Import permissions: paste Keyward's JSON export or an OpenAPI 3 document (its OAuth 2.0 scopes
 * become permissions), or pick the file, which is read into the box in the browser. New names are
 * added; existing ones keep their grants.
 */
export function ImportPermissionsForm({ apiId, action }: { apiId: string; action: Action }) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  return (
    <ActionForm
      action={action}
      hidden={{ apiId }}
      label="Import permissions"
      result={(s) => <Summary summary={s} />}
    >
      {(fields) => (
        <div className="flex flex-col gap-3">
          <div className="flex flex-col gap-1">
            <label htmlFor={`${id}-file`} className="text-sm font-medium">
              From a file (optional)
            </label>
            <input
              id={`${id}-file`}
              type="file"
              accept=".json,application/json"
              className="text-sm file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm dark:file:border-slate-700 dark:file:bg-slate-900 dark:file:text-slate-100"
              onChange={async (event) => {
                const file = event.currentTarget.files?.[0];
                if (file && area.current) area.current.value = await file.text();
              }}
            />
          </div>
          <div className="flex flex-col gap-1">
            <label htmlFor={`${id}-doc`} className="text-sm font-medium">
              JSON or OpenAPI document
            </label>
            <textarea
              id={`${id}-doc`}
              ref={area}
              name="document"
              required
              spellCheck={false}
              aria-describedby={`${id}-hint${fields.document ? ` ${id}-error` : ""}`}
              aria-invalid={fields.document ? true : undefined}
              placeholder={'{ "permissions": [{ "name": "orders.read", "description": "Read orders" }] }'}
              className={AREA}
            />
            <p id={`${id}-hint`} className="text-xs text-slate-600 dark:text-slate-400">
              Keyward&apos;s export format, or an OpenAPI 3 document: the scopes of its OAuth 2.0 security
              schemes are imported. JSON only (convert YAML first).
            </p>
            {fields.document && (
              <p id={`${id}-error`} className="text-xs text-red-700 dark:text-red-400">
                {fields.document}
              </p>
            )}
          </div>
          <div>
            <SubmitButton>Import</SubmitButton>
          </div>
        </div>
      )}
    </ActionForm>
  );
}
