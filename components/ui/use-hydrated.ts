"use client";

import { useSyncExternalStore } from "react";

const subscribe = () => () => {};

/**
 * False in the server's HTML and until React has hydrated, true after. A form whose submission is
 * script (fetch, WebAuthn) keeps its submit button disabled until then: a click or Enter before
 * hydration would otherwise be the browser's own submission, a GET putting the fields (a password)
 * in the URL. Those forms also say method="post", so even then nothing lands in a URL.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
