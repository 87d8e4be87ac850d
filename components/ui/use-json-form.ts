"use client";

import { useState } from "react";

import { postJson } from "./post-json";

/**
 * The state of a form that posts JSON to our API: pending while in flight, the problem's message
 * and its per-field errors when refused. `submit` resolves to the response data, or null.
 */
export function useJsonForm() {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string>();
  const [fields, setFields] = useState<Record<string, string>>({});

  async function submit<T>(url: string, body: unknown): Promise<T | null> {
    setPending(true);
    setError(undefined);
    setFields({});
    const result = await postJson<T>(url, body);
    if (result.ok) return result.data;
    setPending(false);
    setError(result.message);
    setFields(result.fields);
    return null;
  }

  /** For failures found in the browser (e.g. a confirmation mismatch) or after the request. */
  function fail(message: string | undefined, fieldErrors: Record<string, string> = {}) {
    setPending(false);
    setError(message);
    setFields(fieldErrors);
  }

  return { pending, error, fields, submit, fail };
}
