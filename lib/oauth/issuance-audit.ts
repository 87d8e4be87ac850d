import { recordAudit } from "../audit/record-audit.ts";
import type { RequestContext } from "../auth/principal.ts";
import type { ClientState } from "../clients/verify-client-secret.ts";
import { db } from "../db/client.ts";

/**
 * Successful client-credentials issuance is an authentication event (ASVS 16.3.1), but a busy
 * service asks for a token every few minutes per replica: one audit row each would flood the log
 * and serialise every issuance on the audit chain's lock. So the first issuance to a client in each
 * hour at each API is recorded, and the event counts the issuances since the previous one that were not
 * recorded one by one.
 *
 * The count is kept in memory, per instance: with several instances each records its own first
 * issuance per client per hour (so up to one event per instance per hour), each event counts only
 * what that instance issued, and a restart loses the count since the last event (never the event
 * of the next issuance). Summing `unrecordedSincePrevious` over a client's events of all instances
 * gives every issuance up to the last hour. No database write happens per issuance but the hourly
 * event.
 */
export const ISSUANCE_AUDIT_WINDOW_MS = 60 * 60_000;
/** Clients tracked at once; beyond it the least recently recorded is forgotten (its next issuance is recorded). */
const MAX_CLIENTS = 10_000;

type Window = { startedAt: number; unrecorded: number };
const store = globalThis as typeof globalThis & { __keywardIssuanceAudit?: Map<string, Window> };
const windows = () => (store.__keywardIssuanceAudit ??= new Map());

export type Issued = {
  jti: string;
  scope: string;
  api: { id: string; name: string; identifier: string };
  expiresAt: Date;
};

/**
 * Records the issuance when it opens the client's hour at that API; otherwise only counts it. The
 * event's target is the API, so it shows on the API's page next to its refusals and changes.
 */
export async function auditIssuance(
  client: ClientState,
  issued: Issued,
  context: RequestContext,
  now: number = Date.now(),
): Promise<void> {
  const map = windows();
  const key = `${client.clientId} ${issued.api.id}`;
  const current = map.get(key);
  if (current && now - current.startedAt < ISSUANCE_AUDIT_WINDOW_MS && now >= current.startedAt) {
    current.unrecorded++;
    return;
  }
  // The hour opens before the write, so that concurrent issuances do not each record one.
  map.delete(key);
  map.set(key, { startedAt: now, unrecorded: 0 });
  if (map.size > MAX_CLIENTS) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
  try {
    await record(client, issued, context, current);
  } catch (error) {
    // Not recorded, so not issued (the caller fails): the next issuance tries to record again.
    if (current) map.set(key, current);
    else map.delete(key);
    throw error;
  }
}

async function record(
  client: ClientState,
  issued: Issued,
  context: RequestContext,
  current: Window | undefined,
): Promise<void> {
  await db.$transaction((tx) =>
    recordAudit(tx, {
      action: "oauth.token_issued",
      actor: { kind: "client", id: client.clientId, display: client.clientName },
      target: { kind: "api", id: issued.api.id, display: issued.api.name },
      context,
      details: {
        grant: "client_credentials",
        jti: issued.jti,
        scope: issued.scope,
        aud: [issued.api.identifier],
        expiresAt: issued.expiresAt.toISOString(),
        // Issued by this instance since its previous event for this client and API, not recorded one by one.
        unrecordedSincePrevious: current?.unrecorded ?? 0,
        ...(current ? { previousAt: new Date(current.startedAt).toISOString() } : {}),
      },
    }),
  );
}

/** Tests start with no client's hour open. */
export function resetIssuanceAuditForTests(): void {
  windows().clear();
}
