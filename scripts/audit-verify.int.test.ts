import { spawnSync } from "node:child_process";

import { describe, expect, it } from "vitest";

import { db } from "../lib/db/client.ts";
import { serverUrl } from "../test/database.ts";
import { makeUser } from "../test/factories.ts";

const verify = (...args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts", ...args], {
    encoding: "utf8",
    env: process.env,
  });

const headOf = (stdout: string) => /^Head: (\d+:[0-9a-f]{64})$/m.exec(stdout)?.[1];

// Guarantee: npm run audit:verify passes on an intact log, names every edited event (not only the
// first), prints the head for export, and with --expect-head catches the newest events dropped.
// A second process needs a second connection: the in-memory test database serves one, so these
// run against a PostgreSQL server (TEST_DATABASE_URL or DATABASE_URL, as in CI).
describe.skipIf(!serverUrl())("npm run audit:verify", () => {
  it("passes on an intact chain, then names every edited event and exits 1", async () => {
    await makeUser();
    await makeUser();
    const ok = verify();
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/The audit chain is intact: \d+ events checked\./);
    const newest = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(headOf(ok.stdout)).toBe(`${newest.id.toString()}:${newest.hash}`);

    const [last, middle] = await db.auditEvent.findMany({ orderBy: { id: "desc" }, take: 2 });
    if (!last || !middle) throw new Error("no events");
    await db.auditEvent.update({ where: { id: middle.id }, data: { outcome: "failure" } });
    await db.auditEvent.update({ where: { id: last.id }, data: { outcome: "failure" } });
    try {
      const broken = verify();
      expect(broken.status).toBe(1);
      expect(broken.stderr).toContain(
        `Event ${middle.id.toString()}: content does not match its hash (edited).`,
      );
      expect(broken.stderr).toContain(
        `Event ${last.id.toString()}: content does not match its hash (edited).`,
      );
      expect(broken.stderr).toContain("2 problem(s)");
    } finally {
      await db.auditEvent.update({ where: { id: middle.id }, data: { outcome: middle.outcome } });
      await db.auditEvent.update({ where: { id: last.id }, data: { outcome: last.outcome } });
    }
  }, 60_000);

  it("with --expect-head, catches the newest events dropped", async () => {
    await makeUser();
    const exported = headOf(verify().stdout);
    expect(exported).toBeDefined();
    expect(verify("--expect-head", exported as string).status).toBe(0);

    const newest = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    await db.auditEvent.delete({ where: { id: newest.id } });
    try {
      expect(verify().status).toBe(0); // the chain alone cannot know
      const truncated = verify("--expect-head", exported as string);
      expect(truncated.status).toBe(1);
      expect(truncated.stderr).toContain(
        `Event ${newest.id.toString()}: the chain ends before the expected head`,
      );
    } finally {
      await db.auditEvent.create({ data: { ...newest, details: newest.details as object } });
    }
    expect(verify("--expect-head", exported as string).status).toBe(0);
  }, 60_000);

  it("refuses an --expect-head it cannot read, with exit code 2", () => {
    const wrong = verify("--expect-head", "12:not-a-hash");
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain("id:hash");
  }, 60_000);

  it("adopts, once, a log that passed the checkpoint interval before checkpoints existed", async () => {
    // An upgraded installation: a thousand positions on, and no head checkpoint.
    await db.$executeRaw`SELECT setval('"AuditEvent_id_seq"', (SELECT last_value + 1000 FROM "AuditEvent_id_seq"))`;
    await makeUser();
    await db.auditHeadCheckpoint.deleteMany();
    const before = verify();
    expect(before.status).toBe(1);
    expect(before.stderr).toContain("--adopt-existing");

    const adopted = verify("--adopt-existing");
    expect(adopted.status).toBe(0);
    expect(adopted.stdout).toMatch(/Signed \d+:[0-9a-f]{64} as the start of head checkpoints/);
    expect(verify().status).toBe(0);

    const again = verify("--adopt-existing");
    expect(again.status).toBe(2);
    expect(again.stderr).toContain("adopted already");
  }, 60_000);
});
