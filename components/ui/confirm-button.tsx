"use client";

import { useId, useRef } from "react";

import { Button } from "./button";

/**
 * A destructive action behind a confirmation that names its target. It lives inside the form it
 * submits; the native dialog traps focus and closes on Escape.
 */
export function ConfirmButton({
  label,
  title,
  body,
  confirmLabel,
  pending,
  children,
}: {
  label: string;
  title: string;
  body: string;
  confirmLabel: string;
  pending?: boolean;
  children?: React.ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  return (
    <>
      <Button type="button" variant="danger" pending={pending} onClick={() => dialog.current?.showModal()}>
        {label}
      </Button>
      <dialog
        ref={dialog}
        aria-labelledby={titleId}
        className="m-auto w-full max-w-md rounded-xl border border-slate-200 bg-white p-6 text-slate-900 shadow-xl backdrop:bg-slate-950/50 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100"
      >
        <h2 id={titleId} className="text-lg font-semibold">
          {title}
        </h2>
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">{body}</p>
        {children}
        <div className="mt-6 flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={() => dialog.current?.close()}>
            Cancel
          </Button>
          <Button type="submit" variant="danger" onClick={() => dialog.current?.close()}>
            {confirmLabel}
          </Button>
        </div>
      </dialog>
    </>
  );
}
