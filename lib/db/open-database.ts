import fs from "node:fs";
import path from "node:path";

import { getConfig, resetConfigForTests } from "../config/env.ts";
import { startEmbeddedDatabase } from "./embedded.ts";

export type OpenedDatabase = {
  url: string;
  embedded: boolean;
  /** Embedded: waits until its one connection is free again (see EmbeddedDatabase.idle). */
  idle(): Promise<void>;
  close(): Promise<void>;
};

/**
 * The database for an operator process (server launcher, migrations, admin CLI): DATABASE_URL when
 * set, else the embedded PGlite in the data folder. PGlite's files must never be opened by two
 * processes at once, so the embedded database is guarded by a lock file holding the owner's pid.
 * Sets DATABASE_URL (and KEYWARD_EMBEDDED_DB) for this process and its children.
 */
export async function openDatabase(): Promise<OpenedDatabase> {
  const config = getConfig();
  if (config.databaseUrl) {
    return { url: config.databaseUrl, embedded: false, idle: async () => {}, close: async () => {} };
  }

  const lock = path.join(config.dataDir, "pglite.lock");
  takeLock(lock);
  try {
    const embedded = await startEmbeddedDatabase(config.dataDir);
    process.env.DATABASE_URL = embedded.url;
    process.env.KEYWARD_EMBEDDED_DB = "1";
    resetConfigForTests();
    return {
      url: embedded.url,
      embedded: true,
      idle: () => embedded.idle(),
      async close() {
        await embedded.stop();
        fs.rmSync(lock, { force: true });
      },
    };
  } catch (error) {
    fs.rmSync(lock, { force: true });
    throw error;
  }
}

function takeLock(lock: string): void {
  fs.mkdirSync(path.dirname(lock), { recursive: true, mode: 0o700 });
  try {
    fs.writeFileSync(lock, String(process.pid), { flag: "wx" });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const owner = Number(fs.readFileSync(lock, "utf8"));
  if (owner && owner !== process.pid && isAlive(owner)) {
    throw new Error(
      `the embedded database in ${path.dirname(lock)} is in use by process ${owner}: stop Keyward first (or set DATABASE_URL)`,
    );
  }
  // A stale lock from a process that died: take it over.
  fs.writeFileSync(lock, String(process.pid));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
