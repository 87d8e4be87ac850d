import fs from "node:fs";
import net from "node:net";
import path from "node:path";

import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/**
 * The zero-configuration database: PGlite (PostgreSQL compiled to WebAssembly) keeping its files in
 * the data folder, served over the PostgreSQL wire protocol on a Unix socket in that folder so the
 * app uses the very same driver and SQL as with a real server. One connection at a time (PGlite is
 * single-session).
 */
export type EmbeddedDatabase = {
  url: string;
  /**
   * Resolves once no client is connected. A client's `end()` returns before the server has seen
   * the connection close, and the server refuses a second connection meanwhile ("Connection
   * terminated unexpectedly"): whoever hands the one connection on waits for this first.
   */
  idle(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
};

/** The contrib extensions the migrations create (PGlite loads them as WebAssembly modules). */
export const EMBEDDED_EXTENSIONS = { pg_trgm };

/** 5433 is where a second local PostgreSQL usually sits; we start from 54329 and look for a free port. */
const FIRST_PORT = 54329;

/** libpq's name for a server's socket in a directory: `?host=<dir>` finds it there. */
const SOCKET_NAME = ".s.PGSQL.5432";
/** Unix socket paths are limited to about 104 bytes (macOS) or 108 (Linux). */
const MAX_SOCKET_PATH = 100;

export async function startEmbeddedDatabase(dataDir: string, port?: number): Promise<EmbeddedDatabase> {
  const dir = path.join(dataDir, "pglite");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  fs.chmodSync(dir, 0o700);
  const db = await PGlite.create(dir, { extensions: EMBEDDED_EXTENSIONS });
  // A Unix socket inside the owner-only data folder: no other account on the machine can connect
  // (127.0.0.1 would let any local process in, without a password). TCP on loopback only when a
  // port is asked for, or the folder's path is too long for a socket.
  const socketPath = path.join(dir, SOCKET_NAME);
  const useSocket =
    port === undefined && process.platform !== "win32" && socketPath.length <= MAX_SOCKET_PATH;
  let url: string;
  let server: PGLiteSocketServer;
  if (useSocket) {
    // Left by a process that died: the lock file (lib/db/open-database.ts) says no live one owns it.
    fs.rmSync(socketPath, { force: true });
    server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 1 });
    url = `postgresql://postgres@localhost/postgres?host=${encodeURIComponent(dir)}&sslmode=disable`;
  } else {
    const chosen = port ?? (await freePort(FIRST_PORT));
    server = new PGLiteSocketServer({ db, port: chosen, host: "127.0.0.1", maxConnections: 1 });
    url = `postgresql://postgres@127.0.0.1:${chosen}/postgres?sslmode=disable`;
  }
  await server.start();
  return {
    url,
    async idle(timeoutMs = 5_000) {
      const until = Date.now() + timeoutMs;
      while (server.getStats().activeConnections > 0 && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

export async function freePort(start: number): Promise<number> {
  for (let port = start; port < start + 100; port++) {
    if (await isFree(port)) return port;
  }
  throw new Error(`no free port between ${start} and ${start + 99} for the embedded database`);
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", () => resolve(false));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
  });
}
