import type { RequestContext } from "../auth/principal.ts";

/**
 * Mail sent after a change has committed, in the background, never able to fail the change: a
 * refused or unreachable mail server is only logged, with the request id and no secret. Account
 * notices (lib/account) and credential notices (lib/remedies) share this queue.
 */
const store = globalThis as typeof globalThis & { __keywardBackgroundMail?: Set<Promise<void>> };
const inFlight = () => (store.__keywardBackgroundMail ??= new Set());

/** Runs `work` (which sends `what`) without waiting for it. */
export function mailInBackground(what: string, context: RequestContext, work: () => Promise<void>): void {
  const pending = inFlight();
  const promise = work()
    .catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      console.error(`[${context.requestId}] could not send ${what}: ${reason}`);
    })
    .finally(() => pending.delete(promise));
  pending.add(promise);
}

/** For tests and shutdown: resolves when every mail started so far has been sent or given up. */
export async function settleBackgroundMail(): Promise<void> {
  const pending = inFlight();
  while (pending.size > 0) await Promise.all([...pending]);
}
