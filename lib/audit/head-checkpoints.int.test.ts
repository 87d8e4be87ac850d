import { beforeEach, describe, expect, it } from "vitest";

import { TEST_CONTEXT } from "../../test/factories.ts";
import { db } from "../db/client.ts";
import { eventHash } from "./canonical.ts";
import { checkpointSignatureValid } from "./checkpoint-signature.ts";
import { adoptExistingChain, AUDIT_CHECKPOINT_INTERVAL, writeHeadCheckpoint } from "./head-checkpoints.ts";
import { appendAuditEvent } from "./record-audit.ts";
import { type ChainVerification, verifyAuditChain } from "./verify-chain.ts";

let n = 0;
const append = () =>
  db.$transaction((tx) =>
    appendAuditEvent(tx, {
      action: "user.updated",
      actor: { kind: "system", display: "test" },
      target: { kind: "user", id: `usr_${n}` },
      context: TEST_CONTEXT,
      details: { n: n++ },
    }),
  );

/** Appends the event that is due for an interval checkpoint (the sequence jumps, as rollbacks make it). */
async function appendCheckpointed() {
  const newest = await db.auditHeadCheckpoint.findFirst({ orderBy: { lastId: "desc" } });
  const [{ last } = { last: BigInt(0) }] = await db.$queryRaw<{ last: bigint }[]>`
    SELECT last_value AS last FROM "AuditEvent_id_seq"`;
  const base = newest?.lastId ?? BigInt(0);
  const target = base + AUDIT_CHECKPOINT_INTERVAL;
  if (target > last + BigInt(1))
    await db.$executeRaw`SELECT setval('"AuditEvent_id_seq"', ${target - BigInt(1)})`;
  return append();
}

/** What an insider with write access but no key can do: rewrite a row and recompute every later hash. */
async function rewriteAndRecompute(id: bigint, display: string) {
  await db.auditEvent.update({ where: { id }, data: { actorDisplay: display } });
  const rows = await db.auditEvent.findMany({ where: { id: { gte: id } }, orderBy: { id: "asc" } });
  let prev = rows[0]?.prevHash ?? "";
  for (const { hash: _hash, prevHash: _prev, ...event } of rows) {
    const hash = eventHash(prev, event);
    await db.auditEvent.update({ where: { id: event.id }, data: { prevHash: prev, hash } });
    prev = hash;
  }
}

const reasons = (result: ChainVerification) => result.problems.map((p) => [p.id, p.reason]);

// Guarantee (issue 12): the chain's claim is true. An insider who rewrites rows and recomputes the
// later hashes is caught at the next signed checkpoint; dropping the newest events is caught at a
// checkpoint or with an exported head; a forged or deleted checkpoint is reported; and every bad
// event is reported, not only the first.
describe("signed head checkpoints", () => {
  beforeEach(async () => {
    await db.$executeRaw`DELETE FROM "AuditEvent"`;
    await db.$executeRaw`DELETE FROM "AuditHeadCheckpoint"`;
    // Positions from 1 again, so that each case knows where the interval falls.
    await db.$executeRaw`SELECT setval('"AuditEvent_id_seq"', 1, false)`;
  });

  it("are written every AUDIT_CHECKPOINT_INTERVAL positions, signed, and verified", async () => {
    await append();
    expect(await db.auditHeadCheckpoint.count()).toBe(0);
    const head = await appendCheckpointed();
    await append();
    const checkpoint = await db.auditHeadCheckpoint.findUniqueOrThrow({ where: { lastId: head.id } });
    expect(checkpoint).toMatchObject({ lastHash: head.hash, reason: "interval" });
    expect(
      checkpointSignatureValid(
        [Buffer.from(process.env.KEYWARD_ENCRYPTION_KEY as string, "base64")],
        head.id,
        head.hash,
        checkpoint.signature,
        "head",
      ),
    ).toBe(true);
    // A head signature is no retention signature: one cannot stand in for the other.
    expect(
      checkpointSignatureValid(
        [Buffer.from(process.env.KEYWARD_ENCRYPTION_KEY as string, "base64")],
        head.id,
        head.hash,
        checkpoint.signature,
        "retention",
      ),
    ).toBe(false);
    const result = await verifyAuditChain(db);
    expect(result).toMatchObject({ ok: true, checked: 3, checkpoints: 1, problems: [] });
    const newest = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(result.head).toEqual({ id: newest.id, hash: newest.hash });
  });

  it("reports every edited event, and only those: the check goes on from the stored hash", async () => {
    const events = [];
    for (let i = 0; i < 8; i++) events.push(await append());
    const [, second, , , fifth] = events;
    if (!second || !fifth) throw new Error("no events");
    await db.$executeRaw`UPDATE "AuditEvent" SET "outcome" = 'failure' WHERE id = ${second.id}`;
    await db.$executeRaw`UPDATE "AuditEvent" SET "details" = '{"n": -1}' WHERE id = ${fifth.id}`;
    const result = await verifyAuditChain(db);
    expect(result.ok).toBe(false);
    expect(result.problemCount).toBe(2);
    expect(reasons(result)).toEqual([
      [second.id, expect.stringContaining("edited")],
      [fifth.id, expect.stringContaining("edited")],
    ]);
    expect(result).toMatchObject({ firstBadId: second.id, checked: 8 });
  });

  it("catch a row rewritten with every later hash recomputed, at the next checkpoint", async () => {
    const victim = await append();
    await append();
    const checkpoint = await appendCheckpointed();
    await append();
    await rewriteAndRecompute(victim.id, "someone else");
    const result = await verifyAuditChain(db);
    expect(result.ok).toBe(false);
    // Every hash and link is consistent again: only the signed checkpoint knows.
    expect(reasons(result)).toEqual([[checkpoint.id, expect.stringContaining("rewritten")]]);
  });

  it("leave a rewrite after the newest checkpoint to the exported head", async () => {
    await appendCheckpointed();
    const victim = await append();
    const exported = await append();
    await rewriteAndRecompute(victim.id, "someone else");
    expect((await verifyAuditChain(db)).ok).toBe(true); // what SECURITY.md says is not detected
    const result = await verifyAuditChain(db, { expectHead: exported });
    expect(reasons(result)).toEqual([[exported.id, expect.stringContaining("expected head")]]);
  });

  it("catch dropping the newest events up to a checkpoint, and any drop with the exported head", async () => {
    await append();
    const checkpoint = await appendCheckpointed();
    await append();
    const exported = await append();
    // Past the checkpoint: the chain ends before it.
    await db.auditEvent.deleteMany({ where: { id: { gte: checkpoint.id } } });
    expect(reasons(await verifyAuditChain(db))).toEqual([
      [checkpoint.id, expect.stringContaining("truncated")],
    ]);
    // Deleting the checkpoint too hides it from the chain alone, not from the exported head.
    await db.auditHeadCheckpoint.deleteMany();
    expect((await verifyAuditChain(db)).ok).toBe(true);
    const result = await verifyAuditChain(db, { expectHead: exported });
    expect(reasons(result)).toEqual([[exported.id, expect.stringContaining("truncated")]]);
  });

  it("catch a dropped newest event with the exported head alone", async () => {
    await append();
    const exported = await append();
    await db.auditEvent.delete({ where: { id: exported.id } });
    expect((await verifyAuditChain(db)).ok).toBe(true);
    expect(reasons(await verifyAuditChain(db, { expectHead: exported }))).toEqual([
      [exported.id, expect.stringContaining("truncated")],
    ]);
    const again = await append(); // the chain goes on from the survivor: the head moved
    expect(reasons(await verifyAuditChain(db, { expectHead: exported }))).toEqual([
      [exported.id, expect.stringContaining("missing")],
    ]);
    expect((await verifyAuditChain(db, { expectHead: again })).ok).toBe(true);
  });

  it("report a checkpoint whose signature is not valid", async () => {
    const checkpoint = await appendCheckpointed();
    await append();
    await db.auditHeadCheckpoint.update({
      where: { lastId: checkpoint.id },
      data: { signature: "forged.0000" },
    });
    expect(reasons(await verifyAuditChain(db))).toEqual([
      [checkpoint.id, expect.stringContaining("signature is not valid")],
    ]);
    // A checkpoint re-signed with a key that is not the installation's is as bad.
    await db.$transaction((tx) => writeHeadCheckpoint(tx, checkpoint, "interval", [Buffer.alloc(32, 7)]));
    expect((await verifyAuditChain(db)).ok).toBe(false);
  });

  it("report a deleted checkpoint where one was due", async () => {
    await appendCheckpointed();
    const second = await appendCheckpointed();
    await append();
    await db.auditHeadCheckpoint.delete({ where: { lastId: second.id } });
    expect(reasons(await verifyAuditChain(db))).toEqual([
      [second.id, expect.stringContaining("checkpoint due at this event is missing")],
    ]);
    // Every one of them: the first due position says so, and a new event does not make it right.
    const first = await db.auditHeadCheckpoint.findFirstOrThrow({ orderBy: { lastId: "asc" } });
    await db.auditHeadCheckpoint.deleteMany();
    await append();
    expect(await db.auditHeadCheckpoint.count()).toBe(1); // written at once: one was overdue
    const result = await verifyAuditChain(db);
    expect(result.problems[0]).toEqual({ id: first.lastId, reason: expect.stringContaining("missing") });
  });

  it("are adopted once for a log older than them, by the operator, and the adoption is signed", async () => {
    // A log that passed the interval before checkpoints existed.
    await append();
    await appendCheckpointed();
    await append();
    await db.auditHeadCheckpoint.deleteMany();
    expect((await verifyAuditChain(db)).problems[0]?.reason).toContain("--adopt-existing");

    const adopted = await adoptExistingChain(db);
    await append();
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checkpoints: 1 });
    await expect(adoptExistingChain(db)).rejects.toThrow(/adopted already/);

    // Relabelling an ordinary checkpoint as an adoption forges nothing.
    await db.auditHeadCheckpoint.update({ where: { lastId: adopted.id }, data: { reason: "interval" } });
    const later = await appendCheckpointed();
    await db.auditHeadCheckpoint.update({ where: { lastId: later.id }, data: { reason: "adopted" } });
    const relabelled = await verifyAuditChain(db);
    const forged = relabelled.problems.filter((p) => p.reason.includes("signature is not valid"));
    expect(forged.map((p) => p.id)).toEqual([adopted.id, later.id]);
  });
});
