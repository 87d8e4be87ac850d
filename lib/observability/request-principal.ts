import type { Principal } from "../auth/principal.ts";

/**
 * Who a request turned out to be, for its access-log line. The access pipeline (lib/http's
 * wrappers, the OAuth client authentication) notes the principal it resolved under the request id
 * that scripts/server.js generated (it overwrites any client-sent x-request-id), and server.js
 * takes it when the response ends. Nothing a client sends names the principal: only what the
 * resolver verified. A process-wide map on globalThis, since Next's bundles and server.js load
 * this module separately.
 */
export type LoggedPrincipal = { kind: Principal["kind"]; id: string };

/**
 * Entries whose request never reached server.js (in-process tests, a request id made up by
 * requestContext) are never taken: beyond this many the oldest go, so the map cannot grow.
 */
const MAX_ENTRIES = 10_000;

const store = globalThis as typeof globalThis & { __keywardRequestPrincipals?: Map<string, LoggedPrincipal> };

function notes(): Map<string, LoggedPrincipal> {
  store.__keywardRequestPrincipals ??= new Map();
  return store.__keywardRequestPrincipals;
}

export function principalId(principal: Principal): string {
  if (principal.kind === "user") return principal.userId;
  return principal.kind === "token" ? principal.tokenId : principal.clientId;
}

export function notePrincipal(requestId: string, principal: Principal | LoggedPrincipal | null): void {
  if (!principal || !requestId) return;
  const map = notes();
  if (map.size >= MAX_ENTRIES) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(requestId, "id" in principal ? principal : { kind: principal.kind, id: principalId(principal) });
}

/** The principal noted for a request, forgotten as it is read. */
export function takePrincipal(requestId: string): LoggedPrincipal | undefined {
  const map = notes();
  const found = map.get(requestId);
  if (found) map.delete(requestId);
  return found;
}
