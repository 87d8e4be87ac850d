import { createHash } from "node:crypto";

/** Deterministic JSON: object keys sorted at every depth (jsonb reorders keys, so order cannot matter). */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object" && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export const GENESIS_HASH = "0".repeat(64);

/** The fields an event's hash covers: everything but the hashes themselves. */
export type HashedEvent = {
  id: bigint;
  occurredAt: Date;
  actorKind: string;
  actorId: string | null;
  actorDisplay: string | null;
  action: string;
  targetKind: string | null;
  targetId: string | null;
  targetDisplay: string | null;
  outcome: string;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  details: unknown;
};

export function eventHash(prevHash: string, event: HashedEvent): string {
  const body = canonicalJson({
    ...event,
    id: event.id.toString(),
    occurredAt: event.occurredAt.toISOString(),
  });
  return createHash("sha256").update(prevHash).update(body).digest("hex");
}
