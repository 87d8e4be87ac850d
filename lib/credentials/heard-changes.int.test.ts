import pg from "pg";
import { describe, expect, it } from "vitest";

import { developerWith, mintTestToken } from "../../test/credentials.ts";
import { serverUrl } from "../../test/database.ts";
import { TEST_CONTEXT } from "../../test/factories.ts";
import { getConfig } from "../config/env.ts";
import { revokeToken } from "../tokens/manage-tokens.ts";
import { ensureChangeFeed, FEED_APPLICATION_NAME, withHeardChanges } from "./change-feed.ts";

/** Another instance's feed: it listens, and says it heard each notice after `delayMs` (or never). */
async function otherInstance(delayMs: number | null) {
  const client = new pg.Client({
    connectionString: getConfig().databaseUrl,
    application_name: FEED_APPLICATION_NAME,
  });
  const heard: string[] = [];
  client.on("notification", (message) => {
    if (message.channel !== "keyward_credentials") return;
    heard.push(message.payload ?? "");
    const notice = JSON.parse(message.payload ?? "{}") as { instance: string; change: number };
    const ack = JSON.stringify({ instance: notice.instance, change: notice.change, by: `other-${delayMs}` });
    if (delayMs !== null)
      setTimeout(
        () => void client.query("SELECT pg_notify('keyward_credentials_heard', $1)", [ack]),
        delayMs,
      );
  });
  await client.connect();
  await client.query("LISTEN keyward_credentials");
  return { heard, end: () => client.end() };
}

const revoke = async (principal: Awaited<ReturnType<typeof developerWith>>["principal"]) => {
  const minted = await mintTestToken(principal, ["users.read"]);
  const started = Date.now();
  await withHeardChanges(() => revokeToken({ actor: principal, tokenId: minted.id, context: TEST_CONTEXT }));
  return { id: minted.id, ms: Date.now() - started };
};

// Needs a PostgreSQL server: the change feed (LISTEN) is off in embedded mode, which is one instance.
describe.skipIf(!serverUrl())("a response waits until every instance has heard its changes", () => {
  it("the answer to a revocation waits for another instance to say it dropped the token", async () => {
    const { principal } = await developerWith(["users.read"]);
    ensureChangeFeed();
    await revoke(principal);
    const other = await otherInstance(300);
    try {
      const { id, ms } = await revoke(principal);
      expect(other.heard.some((payload) => payload.includes(`token:${id}`))).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(300);
      expect(ms).toBeLessThan(1_000);
    } finally {
      await other.end();
    }
  });

  it("an instance that never says so is waited for one second at most", async () => {
    const { principal } = await developerWith(["users.read"]);
    ensureChangeFeed();
    await revoke(principal);
    const stuck = await otherInstance(null);
    try {
      const { ms } = await revoke(principal);
      expect(ms).toBeGreaterThanOrEqual(1_000);
      expect(ms).toBeLessThan(2_000);
    } finally {
      await stuck.end();
    }
  });

  it("a change that fails is answered at once, without waiting for a notice that never comes", async () => {
    const started = Date.now();
    await expect(
      withHeardChanges(async () => {
        throw new Error("the transaction rolled back");
      }),
    ).rejects.toThrow("rolled back");
    expect(Date.now() - started).toBeLessThan(200);
  });
});
