import { spawnSync } from "node:child_process";

import { describe, expect, it } from "vitest";

import { db } from "../lib/db/client.ts";
import { serverUrl } from "../test/database.ts";
import { makeUser } from "../test/factories.ts";

const verify = () =>
  spawnSync(process.execPath, ["--import", "tsx", "scripts/audit-verify.ts"], {
    encoding: "utf8",
    env: process.env,
  });

// Guarantee: npm run audit:verify passes on an intact log and names the first edited event.
// A second process needs a second connection: the in-memory test database serves one, so these
// run against a PostgreSQL server (TEST_DATABASE_URL or DATABASE_URL, as in CI).
describe.skipIf(!serverUrl())("npm run audit:verify", () => {
  it("passes on an intact chain, then names an edited event and exits 1", async () => {
    await makeUser();
    const ok = verify();
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/The audit chain is intact: \d+ events checked\./);

    const victim = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    await db.auditEvent.update({ where: { id: victim.id }, data: { outcome: "failure" } });
    try {
      const broken = verify();
      expect(broken.status).toBe(1);
      expect(broken.stderr).toContain(`broken at event ${victim.id.toString()}`);
      expect(broken.stderr).toContain("edited");
    } finally {
      await db.auditEvent.update({ where: { id: victim.id }, data: { outcome: victim.outcome } });
    }
  }, 60_000);
});
