// A PostgreSQL cluster and a Redis server of the fault journeys' own, on loopback ports of their
// own, so that stopping them never touches the machine's shared services. `initdb` refuses to run
// as root: as root it runs as the `postgres` user, in a folder that user owns.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

import { freePort } from "../../lib/db/embedded.ts";
import { waitForPort } from "../../scripts/lib/cluster.ts";

const PG_BIN_DIRS = [
  "/usr/lib/postgresql/17/bin",
  "/usr/lib/postgresql/16/bin",
  "/usr/lib/postgresql/15/bin",
];

function pgBin(name: string): string {
  for (const dir of PG_BIN_DIRS) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(candidate)) return candidate;
  }
  return name;
}

const asRoot = process.getuid?.() === 0;

/** Runs a PostgreSQL server binary as the postgres user when we are root, else as ourselves. */
function runPg(command: string, args: string[]): void {
  const quoted = [pgBin(command), ...args].map((part) => `'${part.replaceAll("'", "'\\''")}'`).join(" ");
  const result = asRoot
    ? spawnSync("su", ["postgres", "-s", "/bin/sh", "-c", quoted], { encoding: "utf8" })
    : spawnSync("sh", ["-c", quoted], { encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} failed: ${result.stdout}${result.stderr}`);
}

export type OwnPostgres = {
  url: (database: string) => string;
  port: number;
  stop(): void;
  start(): void;
  close(): void;
};

export async function startOwnPostgres(dir: string): Promise<OwnPostgres> {
  fs.mkdirSync(dir, { recursive: true });
  if (asRoot) spawnSync("chown", ["postgres:postgres", dir]);
  const data = path.join(dir, "data");
  const port = await freePort(25_000 + Math.floor(Math.random() * 5000));
  runPg("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"]);
  const options = `-p ${port} -c listen_addresses=127.0.0.1 -k ${dir} -c fsync=off`;
  const log = path.join(dir, "postgres.log");
  const pg: OwnPostgres = {
    port,
    url: (database) => `postgresql://postgres@127.0.0.1:${port}/${database}`,
    start: () => runPg("pg_ctl", ["-D", data, "-l", log, "-o", options, "-w", "-t", "60", "start"]),
    // Fast shutdown: connections are terminated, committed work is kept (as in a restart).
    stop: () => runPg("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "60", "stop"]),
    close: () => {
      try {
        runPg("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // not running
      }
    },
  };
  pg.start();
  return pg;
}

export type OwnRedis = { url: string; stop(): Promise<void>; start(): Promise<void> };

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort(26_000 + Math.floor(Math.random() * 5000));
  let child: ChildProcess | null = null;
  const redis: OwnRedis = {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      child = spawn(
        "redis-server",
        ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        { stdio: "ignore" },
      );
      await waitForPort(port, true);
    },
    async stop() {
      const current = child;
      child = null;
      if (!current || current.exitCode !== null) return;
      const exited = new Promise((resolve) => current.once("exit", resolve));
      current.kill("SIGKILL");
      await exited;
    },
  };
  await redis.start();
  return redis;
}
