// `npm run test:e2e`: a fresh database, the app started the way `npm start` starts it, then
// Playwright in Chromium against it. Needs a PostgreSQL server: TEST_DATABASE_URL or DATABASE_URL,
// else the local one at 127.0.0.1:5432. The database is dropped afterwards.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { freePort } from "../lib/db/embedded.ts";
import { adminQuery, quoteIdent, uniqueName, withDatabase } from "../test/database.ts";

const serverUrl =
  process.env.TEST_DATABASE_URL ||
  process.env.DATABASE_URL ||
  "postgresql://postgres@127.0.0.1:5432/postgres";
const bin = (...parts: string[]) => path.join(process.cwd(), "node_modules", ...parts);

async function waitForReady(
  url: string,
  server: { exitCode: number | null },
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`${url}/api/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`the server was not ready within ${timeoutMs / 1000} s`);
}

async function main(): Promise<number> {
  const database = uniqueName("keyward_e2e");
  await adminQuery(serverUrl, `CREATE DATABASE ${quoteIdent(database)}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-e2e-"));
  const log = path.join(dataDir, "server.log");
  // A random start, so two runs on one machine (a developer and CI) do not pick the same port.
  const port = await freePort(3300 + Math.floor(Math.random() * 600));
  const baseUrl = `http://localhost:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: withDatabase(serverUrl, database),
    PORT: String(port),
    KEYWARD_URL: baseUrl,
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_SECRET: randomBytes(32).toString("base64url"),
    KEYWARD_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
  delete env.KEYWARD_ADMIN_EMAIL;
  delete env.KEYWARD_ADMIN_PASSWORD;

  const out = fs.openSync(log, "a");
  const server = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], {
    env,
    detached: true, // its own process group, so the Next server child stops with it
    stdio: ["ignore", out, out],
  });
  try {
    console.log(`[e2e] starting Keyward on ${baseUrl} (database ${database}, log ${log})`);
    await waitForReady(baseUrl, server, 8 * 60_000);
    const result = spawnSync(
      process.execPath,
      [bin("@playwright", "test", "cli.js"), "test", ...process.argv.slice(2)],
      {
        stdio: "inherit",
        env: { ...env, E2E_BASE_URL: baseUrl, E2E_SERVER_LOG: log, E2E_DATABASE_URL: env.DATABASE_URL },
      },
    );
    return result.status ?? 1;
  } catch (error) {
    console.error(
      `[e2e] ${error instanceof Error ? error.message : String(error)}\n--- server log ---\n${fs.readFileSync(log, "utf8")}`,
    );
    return 1;
  } finally {
    if (server.pid && server.exitCode === null) {
      process.kill(-server.pid, "SIGTERM");
      await new Promise((resolve) => server.once("exit", resolve));
    }
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
