import { describe, expect, it } from "vitest";

import { TEST_CONTEXT } from "../../test/factories.ts";
import { db } from "../db/client.ts";
import { AUDIT_CHECKPOINT_INTERVAL } from "./head-checkpoints.ts";
import { recordAudit } from "./record-audit.ts";
import { verifyAuditChain } from "./verify-chain.ts";

const append = (n: number) =>
  db.$transaction((tx) =>
    recordAudit(tx, {
      action: "user.created",
      actor: { kind: "system", display: "test" },
      target: { kind: "user", id: `usr_${n}` },
      context: TEST_CONTEXT,
      details: { n, nested: { z: 1, a: [n] } },
    }),
  );

// Guarantee: the audit log is tamper-evident and concurrent writers never fork the chain.
describe("audit hash chain", () => {
  it("stays valid under 40 concurrent writers, across a signed checkpoint", async () => {
    // Positions just short of the interval, so that the writers race across a checkpoint.
    await db.$executeRaw`SELECT setval('"AuditEvent_id_seq"', ${AUDIT_CHECKPOINT_INTERVAL - BigInt(20)})`;
    await Promise.all(Array.from({ length: 40 }, (_, n) => append(n)));
    const result = await verifyAuditChain(db);
    expect(result).toMatchObject({ ok: true, problems: [], problemCount: 0, checkpoints: 1 });
    expect(result.checked).toBeGreaterThanOrEqual(40);
  });

  it("verifies while writers append across checkpoints: what it sees is consistent", async () => {
    const [{ last } = { last: BigInt(0) }] = await db.$queryRaw<{ last: bigint }[]>`
      SELECT last_value AS last FROM "AuditEvent_id_seq"`;
    const writers = (async () => {
      for (let round = 0; round < 4; round++) {
        // Each round crosses an interval, so that checkpoints are written while verification reads.
        await db.$executeRaw`SELECT setval('"AuditEvent_id_seq"', ${last + BigInt(round + 1) * AUDIT_CHECKPOINT_INTERVAL - BigInt(5)})`;
        await Promise.all(Array.from({ length: 10 }, (_, n) => append(n)));
      }
    })();
    const checks: Promise<Awaited<ReturnType<typeof verifyAuditChain>>>[] = [];
    for (let i = 0; i < 6; i++) checks.push(verifyAuditChain(db));
    await writers;
    checks.push(verifyAuditChain(db));
    for (const result of await Promise.all(checks)) expect(result.problems).toEqual([]);
  });

  it("records nothing when the change it belongs to rolls back", async () => {
    const before = await db.auditEvent.count();
    await expect(
      db.$transaction(async (tx) => {
        await recordAudit(tx, { action: "user.disabled", actor: { kind: "system" }, context: TEST_CONTEXT });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    expect(await db.auditEvent.count()).toBe(before);
  });

  it("names the first edited event", async () => {
    for (let n = 0; n < 3; n++) await append(n);
    const [, middle] = await db.auditEvent.findMany({ orderBy: { id: "desc" }, take: 3 });
    if (!middle) throw new Error("no events");
    await db.$executeRaw`UPDATE "AuditEvent" SET "details" = '{"n": 999}' WHERE id = ${middle.id}`;
    const result = await verifyAuditChain(db);
    expect(result).toMatchObject({
      ok: false,
      firstBadId: middle.id,
      reason: expect.stringContaining("edited"),
    });
    await db.$executeRaw`DELETE FROM "AuditEvent"`;
    await db.$executeRaw`DELETE FROM "AuditHeadCheckpoint"`; // leave a clean chain for the next case
  });

  it("detects a deleted event at its successor", async () => {
    for (let n = 0; n < 3; n++) await append(n);
    const [newest, middle] = await db.auditEvent.findMany({ orderBy: { id: "desc" }, take: 2 });
    if (!newest || !middle) throw new Error("no events");
    await db.auditEvent.delete({ where: { id: middle.id } });
    expect(await verifyAuditChain(db)).toMatchObject({
      ok: false,
      firstBadId: newest.id,
      reason: expect.stringContaining("deleted"),
    });
    await db.$executeRaw`DELETE FROM "AuditEvent"`;
    await db.$executeRaw`DELETE FROM "AuditHeadCheckpoint"`;
  });

  it("detects reordered events", async () => {
    for (let n = 0; n < 3; n++) await append(n);
    const [c, b] = await db.auditEvent.findMany({ orderBy: { id: "desc" }, take: 2 });
    if (!c || !b) throw new Error("no events");
    // Swap the two newest rows' positions.
    await db.$executeRaw`UPDATE "AuditEvent" SET id = -1 WHERE id = ${c.id}`;
    await db.$executeRaw`UPDATE "AuditEvent" SET id = ${c.id} WHERE id = ${b.id}`;
    await db.$executeRaw`UPDATE "AuditEvent" SET id = ${b.id} WHERE id = -1`;
    const result = await verifyAuditChain(db);
    expect(result).toMatchObject({ ok: false, firstBadId: b.id });
    await db.$executeRaw`DELETE FROM "AuditEvent"`;
    await db.$executeRaw`DELETE FROM "AuditHeadCheckpoint"`;
  });
});
