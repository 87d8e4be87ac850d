import { describe, expect, it } from "vitest";

import { canonicalJson, eventHash, GENESIS_HASH, type HashedEvent } from "./canonical.ts";

const event: HashedEvent = {
  id: BigInt(1),
  occurredAt: new Date("2026-01-01T00:00:00.000Z"),
  actorKind: "user",
  actorId: "usr_1",
  actorDisplay: "a@example.test",
  action: "user.created",
  targetKind: "user",
  targetId: "usr_2",
  targetDisplay: "b@example.test",
  outcome: "success",
  ip: "203.0.113.1",
  userAgent: "ua",
  requestId: "req",
  details: { b: 1, a: { d: [2, 1], c: null } },
};

// Guarantee: an event's hash depends on its content and its predecessor, never on key order.
describe("audit event hashing", () => {
  it("is independent of key order (PostgreSQL jsonb reorders keys)", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
    const reordered = { ...event, details: { a: { c: null, d: [2, 1] }, b: 1 } };
    expect(eventHash(GENESIS_HASH, reordered)).toBe(eventHash(GENESIS_HASH, event));
  });

  it("changes with any field, the position, or the previous hash", () => {
    const base = eventHash(GENESIS_HASH, event);
    expect(eventHash(GENESIS_HASH, { ...event, outcome: "failure" })).not.toBe(base);
    expect(eventHash(GENESIS_HASH, { ...event, id: BigInt(2) })).not.toBe(base);
    expect(eventHash(GENESIS_HASH, { ...event, details: { b: 2, a: { d: [2, 1], c: null } } })).not.toBe(
      base,
    );
    expect(eventHash("f".repeat(64), event)).not.toBe(base);
  });
});
