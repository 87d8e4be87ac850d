"use client";

import { useRouter } from "next/navigation";
import { useId, useRef, useState } from "react";

import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";
import { useToast } from "@/components/ui/toast";
import { useJsonForm } from "@/components/ui/use-json-form";

/** What an import did: how many permissions it added, re-described, or found as they were. */
export type ImportSummary = { added: number; updated: number; unchanged: number };

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
 * become permissions), or pick the file, which is read into the box in the browser. It is posted
 * to the REST import route (the same schema, up to 1 MB: an OpenAPI document outgrows a server
 * action's small body limit), then the page reloads its data. New names are added; existing ones
 * keep their grants; nothing is removed.
 */
export function ImportPermissionsForm({ apiId }: { apiId: string }) {
  const id = useId();
  const area = useRef<HTMLTextAreaElement>(null);
  const router = useRouter();
  const toast = useToast();
  const { pending, error, fields, submit, fail } = useJsonForm();
  const [summary, setSummary] = useState<ImportSummary | null>(null);
  const problems = Object.entries(fields);

  async function onSubmit(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setSummary(null);
    let document: unknown;
    try {
      document = JSON.parse(area.current?.value ?? "");
    } catch {
      fail("This is not valid JSON. An OpenAPI document in YAML must be converted to JSON first.");
      return;
    }
    const result = await submit<ImportSummary>(`/api/v1/apis/${apiId}/permissions/import`, document);
    if (!result) return;
    fail(undefined);
    setSummary(result);
    toast(`Imported: ${result.added} added, ${result.updated} updated.`);
    router.refresh();
  }

  return (
    <form
      method="post"
      onSubmit={onSubmit}
      aria-label="Import permissions"
      className="flex flex-col gap-3"
      noValidate
    >
      {error && (
        <FormAlert>
          {error}
          {problems.length > 0 && (
            <ul className="mt-1 list-disc pl-5 text-xs">
              {problems.slice(0, 10).map(([path, message]) => (
                <li key={path}>
                  <code>{path}</code>: {message}
                </li>
              ))}
            </ul>
          )}
        </FormAlert>
      )}
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
          required
          spellCheck={false}
          aria-describedby={`${id}-hint`}
          aria-invalid={error ? true : undefined}
          placeholder={'{ "permissions": [{ "name": "orders.read", "description": "Read orders" }] }'}
          className={AREA}
        />
        <p id={`${id}-hint`} className="text-xs text-slate-600 dark:text-slate-400">
          Keyward&apos;s export format, or an OpenAPI 3 document: the scopes of its OAuth 2.0 security schemes
          are imported. JSON only (convert YAML first), at most 1 MB.
        </p>
      </div>
      <div>
        <Button type="submit" pending={pending}>
          Import
        </Button>
      </div>
      {summary && <Summary summary={summary} />}
    </form>
  );
}
