import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";

import { startEmbeddedDatabase, type EmbeddedDatabase } from "./embedded.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-embedded-"));
let embedded: EmbeddedDatabase | undefined;

afterAll(async () => {
  await embedded?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

// Guarantee: the start-up's hand-overs of the embedded database's one connection (migrations, then
// bootstrap, then the web server) never meet a refused connection.
describe("the embedded database", () => {
  it("takes a new client as soon as idle() says the last one is gone, every time", async () => {
    embedded = await startEmbeddedDatabase(dir);
    // Served on a Unix socket in the owner-only data folder, not on a TCP port any local process could reach.
    expect(embedded.url).toContain(`host=${encodeURIComponent(path.join(dir, "pglite"))}`);
    expect(fs.statSync(path.join(dir, "pglite", ".s.PGSQL.5432")).isSocket()).toBe(true);
    expect(fs.statSync(path.join(dir, "pglite")).mode & 0o077).toBe(0);
    // A pool's end() returns before the server has seen the connection go; without idle() the
    // next connection is refused (every time, in a loop like this one).
    for (let round = 0; round < 30; round++) {
      const pool = new pg.Pool({ connectionString: embedded.url, max: 1 });
      expect((await pool.query<{ n: number }>("SELECT $1::int AS n", [round])).rows[0]?.n).toBe(round);
      await pool.end();
      await embedded.idle();
    }
  }, 60_000);
});
