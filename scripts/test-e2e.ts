// `npm run test:e2e`: a fresh database, the app started the way `npm start` starts it, then
// Playwright in Chromium against it. Needs a PostgreSQL server: TEST_DATABASE_URL or DATABASE_URL,
// else the local one at 127.0.0.1:5432. The database is dropped afterwards.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { freePort } from "../lib/db/embedded.ts";
import { adminQuery, quoteIdent, uniqueName, withDatabase } from "../test/database.ts";
import { startMailbox } from "../test/mailbox.ts";
import { startServer, waitForReady } from "./lib/server-process.ts";

const serverUrl =
  process.env.TEST_DATABASE_URL ||
  process.env.DATABASE_URL ||
  "postgresql://postgres@127.0.0.1:5432/postgres";
const bin = (...parts: string[]) => path.join(process.cwd(), "node_modules", ...parts);

async function main(): Promise<number> {
  const database = uniqueName("keyward_e2e");
  await adminQuery(serverUrl, `CREATE DATABASE ${quoteIdent(database)}`);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-e2e-"));
  const log = path.join(dataDir, "server.log");
  // A random start, so two runs on one machine (a developer and CI) do not pick the same port.
  const port = await freePort(3300 + Math.floor(Math.random() * 600));
  const baseUrl = `http://localhost:${port}`;
  // A real SMTP server for the password-reset mail; the journeys read what it received from here.
  const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-e2e-mail-"));
  const mailbox = await startMailbox({ dir: mailDir, setEnv: false });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: withDatabase(serverUrl, database),
    PORT: String(port),
    KEYWARD_URL: baseUrl,
    KEYWARD_DATA_DIR: dataDir,
    KEYWARD_SECRET: randomBytes(32).toString("base64url"),
    KEYWARD_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    SMTP_URL: mailbox.url,
    // The example apps listen on loopback: back-channel logout must be allowed to reach them.
    KEYWARD_BACKCHANNEL_PRIVATE: "1",
    // The background jobs (weekly digest, failure alerts) would mail the journeys' users: a digest
    // landing in an inbox a journey reads its link from would break it. Their own tests drive them.
    KEYWARD_JOBS: "off",
  };
  delete env.KEYWARD_ADMIN_EMAIL;
  delete env.KEYWARD_ADMIN_PASSWORD;

  const server = startServer(env, log);
  try {
    console.log(`[e2e] starting Keyward on ${baseUrl} (database ${database}, log ${log})`);
    await waitForReady(baseUrl, server, 8 * 60_000);
    // Not spawnSync: the mailbox in this process must keep answering while Playwright runs.
    const playwright = spawn(
      process.execPath,
      [bin("@playwright", "test", "cli.js"), "test", ...process.argv.slice(2)],
      {
        stdio: "inherit",
        env: {
          ...env,
          E2E_BASE_URL: baseUrl,
          E2E_SERVER_LOG: log,
          E2E_DATABASE_URL: env.DATABASE_URL,
          E2E_MAIL_DIR: mailDir,
        },
      },
    );
    const status = await new Promise<number>((resolve) =>
      playwright.on("exit", (code) => resolve(code ?? 1)),
    );
    if (status !== 0) printServerErrors(log);
    return status;
  } catch (error) {
    console.error(`[e2e] ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await server.stop();
    await mailbox.stop();
    fs.rmSync(mailDir, { recursive: true, force: true });
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** A failed journey's server-side cause, before the log is deleted with the data folder. */
function printServerErrors(log: string): void {
  const lines = fs.existsSync(log) ? fs.readFileSync(log, "utf8").split("\n") : [];
  const errors = lines.filter((line) => /error|exception|unhandled|refused/i.test(line)).slice(-40);
  if (errors.length > 0) console.error(`[e2e] server log, error lines:\n${errors.join("\n")}`);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
