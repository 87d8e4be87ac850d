"use client";

import { Button } from "@/components/ui/button";

/** Recovery codes, shown once: copy or download them now. */
export function RecoveryCodes({ codes }: { codes: string[] }) {
  const text = `Keyward recovery codes (each works once)\n\n${codes.join("\n")}\n`;
  return (
    <section
      aria-labelledby="recovery-title"
      className="rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-800 dark:bg-amber-950"
    >
      <h3 id="recovery-title" className="font-semibold">
        Save your recovery codes
      </h3>
      <p className="mt-1 text-sm">
        If you lose your authenticator, each of these codes signs you in once. They are shown only now: keep
        them somewhere safe, away from this device.
      </p>
      <ul
        aria-label="Recovery codes"
        className="mt-3 grid grid-cols-1 gap-1 font-mono text-sm sm:grid-cols-2"
      >
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ul>
      <div className="mt-3 flex gap-2">
        <Button
          type="button"
          variant="secondary"
          onClick={() => navigator.clipboard?.writeText(text).catch(() => undefined)}
        >
          Copy codes
        </Button>
        <a
          className="inline-flex items-center rounded-md border border-slate-300 bg-white px-4 py-2 text-sm font-medium hover:bg-slate-100 dark:border-slate-700 dark:bg-slate-900"
          href={`data:text/plain;charset=utf-8,${encodeURIComponent(text)}`}
          download="keyward-recovery-codes.txt"
        >
          Download
        </a>
      </div>
    </section>
  );
}
