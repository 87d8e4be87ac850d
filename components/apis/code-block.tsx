"use client";

import { useId, useState } from "react";

import { Button } from "@/components/ui/button";

/**
 * A multi-line snippet to copy: a named, keyboard-scrollable block (long lines scroll sideways on a
 * phone rather than breaking) with a copy button that says when it copied.
 */
export function CodeBlock({ label, code }: { label: string; code: string }) {
  const id = useId();
  const [copied, setCopied] = useState(false);
  return (
    <figure aria-labelledby={id} className="flex flex-col gap-1">
      <div className="flex items-center justify-between gap-2">
        <p id={id} className="text-sm font-medium">
          {label}
        </p>
        <Button
          type="button"
          variant="secondary"
          aria-label={`Copy: ${label}`}
          onClick={async () => {
            await navigator.clipboard?.writeText(code).catch(() => undefined);
            setCopied(true);
          }}
        >
          {copied ? "Copied" : "Copy"}
        </Button>
      </div>
      <pre
        tabIndex={0}
        aria-labelledby={id}
        className="overflow-x-auto rounded-md border border-slate-200 bg-slate-50 p-3 font-mono text-xs leading-relaxed text-slate-900 dark:border-slate-700 dark:bg-slate-950 dark:text-slate-100"
      >
        <code>{code}</code>
      </pre>
      <span role="status" className="sr-only">
        {copied ? "Copied to the clipboard" : ""}
      </span>
    </figure>
  );
}
