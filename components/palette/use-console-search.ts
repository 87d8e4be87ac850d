"use client";

import { useEffect, useState } from "react";

import type { ConsoleSearchResult } from "@/lib/search/search-schemas";

/** Long enough that typing a word asks once, short enough to feel immediate. */
export const SEARCH_DEBOUNCE_MS = 150;

export type ConsoleSearchState = {
  /** The server's answer for the current text; null while it is asked for, after a failure, or with no text. */
  data: ConsoleSearchResult | null;
  loading: boolean;
  failed: boolean;
};

/**
 * Asks GET /api/v1/search for `query` once typing pauses. A newer text aborts the request for the
 * older one, and an answer is kept with the text it answers, so a slow stale answer never shows.
 */
export function useConsoleSearch(query: string): ConsoleSearchState {
  const q = query.trim();
  const [answer, setAnswer] = useState<{ q: string; data: ConsoleSearchResult | null }>({
    q: "",
    data: null,
  });

  useEffect(() => {
    if (!q) return;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      fetch(`/api/v1/search?${new URLSearchParams({ q }).toString()}`, {
        credentials: "same-origin",
        headers: { accept: "application/json" },
        signal: controller.signal,
      })
        .then(async (response) => {
          if (!response.ok) throw new Error(`search answered ${response.status}`);
          setAnswer({ q, data: (await response.json()) as ConsoleSearchResult });
        })
        .catch(() => {
          if (!controller.signal.aborted) setAnswer({ q, data: null });
        });
    }, SEARCH_DEBOUNCE_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [q]);

  const answered = q !== "" && answer.q === q;
  return {
    data: answered ? answer.data : null,
    loading: q !== "" && !answered,
    failed: answered && answer.data === null,
  };
}
