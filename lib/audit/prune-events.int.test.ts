import { describe, expect, it } from "vitest";

import { makeUser, TEST_CONTEXT } from "../../test/factories.ts";
import { db } from "../db/client.ts";
import { setSetting } from "../settings/settings.ts";
import { pruneAuditEvents } from "./prune-events.ts";
import { verifyAuditChain } from "./verify-chain.ts";

const actor = { kind: "system" as const, display: "test" };
const DAY = 86_400_000;

// Guarantee: pruning keeps verification green and tampering after it still detected.
describe("audit retention", () => {
  it("does nothing while retention is off", async () => {
    await makeUser();
    expect(await pruneAuditEvents({ actor, context: TEST_CONTEXT })).toEqual({
      pruned: 0,
      checkpointId: null,
    });
  });

  it("prunes behind a signed checkpoint: the chain still verifies, and an edit or forged checkpoint is caught", async () => {
    await makeUser();
    await makeUser();
    const total = await db.auditEvent.count();
    await db.$transaction((tx) => setSetting(tx, "auditRetentionDays", 1));
    try {
      const result = await pruneAuditEvents({
        actor,
        context: TEST_CONTEXT,
        now: new Date(Date.now() + 2 * DAY),
      });
      expect(result.pruned).toBe(total);
      expect(await db.auditEvent.count()).toBe(1); // the audit.pruned event itself
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checked: 1 });

      await makeUser(); // the chain goes on after the checkpoint
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true });

      const first = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "asc" } });
      await db.auditEvent.update({ where: { id: first.id }, data: { actorDisplay: "someone else" } });
      expect(await verifyAuditChain(db)).toMatchObject({ ok: false, firstBadId: first.id });
      await db.auditEvent.update({ where: { id: first.id }, data: { actorDisplay: first.actorDisplay } });
      expect(await verifyAuditChain(db)).toMatchObject({ ok: true });

      const checkpoint = await db.auditCheckpoint.findFirstOrThrow({ orderBy: { lastId: "desc" } });
      await db.auditCheckpoint.update({ where: { id: checkpoint.id }, data: { lastHash: "0".repeat(64) } });
      const forged = await verifyAuditChain(db);
      expect(forged.ok).toBe(false);
      expect(!forged.ok && forged.reason).toContain("signature");
      await db.auditCheckpoint.update({
        where: { id: checkpoint.id },
        data: { lastHash: checkpoint.lastHash },
      });
    } finally {
      await db.$transaction((tx) => setSetting(tx, "auditRetentionDays", 0));
    }
  });
});
