import pg from "pg";
import { describe, expect, it } from "vitest";

import { serverUrl } from "../../test/database.ts";
import { getConfig } from "../config/env.ts";
import { credentialCacheStats } from "../credentials/credential-cache.ts";
import { db } from "../db/client.ts";
import { getSettings, resetSetting, setSetting } from "./settings.ts";

const until = async (check: () => Promise<boolean>, ms = 3_000) => {
  const deadline = Date.now() + ms;
  while (!(await check()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
};

// Needs a PostgreSQL server: the change feed (LISTEN) is off in embedded mode, which is one instance.
describe.skipIf(!serverUrl())("settings on the change feed", () => {
  it("are served from the cache, and another instance's change is obeyed once it commits", async () => {
    await getSettings(db);
    // Let the feed's listener come up (until then nothing is cached).
    await until(async () => {
      const before = credentialCacheStats().hits;
      await getSettings(db);
      await getSettings(db);
      return credentialCacheStats().hits > before;
    });
    const before = credentialCacheStats();
    expect((await getSettings(db)).stepUpMinutes).toBe(10);
    expect(credentialCacheStats().hits).toBeGreaterThan(before.hits);

    // Another instance: its own connection and transaction, the notice our code sends. Until it
    // commits, this instance keeps answering what is committed.
    const other = new pg.Client({ connectionString: getConfig().databaseUrl });
    await other.connect();
    try {
      await other.query("BEGIN");
      await other.query(
        `INSERT INTO "Setting" (key, value, "updatedAt") VALUES ('stepUpMinutes', '3', now())
         ON CONFLICT (key) DO UPDATE SET value = '3'`,
      );
      const notice = { instance: "another-instance", change: 1, tags: ["settings"] };
      await other.query(`SELECT pg_notify('keyward_credentials', $1)`, [JSON.stringify(notice)]);
      expect((await getSettings(db)).stepUpMinutes).toBe(10);
      await other.query("COMMIT");
    } finally {
      await other.end();
    }
    // No TTL: the notice, not time, makes the change visible (well within the old 5-second cache).
    const heardAt = Date.now();
    await until(async () => (await getSettings(db)).stepUpMinutes === 3);
    expect((await getSettings(db)).stepUpMinutes).toBe(3);
    expect(Date.now() - heardAt).toBeLessThan(2_000);
    await db.$transaction((tx) => resetSetting(tx, "stepUpMinutes"));
    expect((await getSettings(db)).stepUpMinutes).toBe(10);
  });

  it("a change in this process is seen at once, and never cached before it commits", async () => {
    expect((await getSettings(db)).stepUpMinutes).toBe(10);
    await db.$transaction(async (tx) => {
      await setSetting(tx, "stepUpMinutes", 7);
      // Read inside the uncommitted transaction: not stored for others.
      expect((await getSettings(tx)).stepUpMinutes).toBe(7);
      expect((await getSettings(db)).stepUpMinutes).toBe(10);
    });
    expect((await getSettings(db)).stepUpMinutes).toBe(7);
    await db.$transaction((tx) => resetSetting(tx, "stepUpMinutes"));
    expect((await getSettings(db)).stepUpMinutes).toBe(10);
  });
});
