// `npx tsx bench/sso-statements.ts [-- 200]`: what one single sign-on request costs the server, one
// at a time: its CPU, and what it asks of PostgreSQL (transactions, rows written, and which tables
// it reads, from PostgreSQL's own statistics). Explains the "9. single sign-on" rows of
// `npm run bench`; a measurement, never a test. About 3 minutes.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { resetConfigForTests } from "../lib/config/env.ts";
import { stopChangeFeed } from "../lib/credentials/change-feed.ts";
import { closeDb, dbPool } from "../lib/db/client.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { startServer, waitForReady } from "../scripts/lib/server-process.ts";
import { adminQuery, quoteIdent, uniqueName, withDatabase } from "../test/database.ts";
import { cpuSeconds, webServerPid } from "./lib/process-stats.ts";
import { benchUserId, seedClients, seedUsers } from "./lib/seed.ts";
import { authorize, Driver, exchange, Jar, seedSso, tokenRequest } from "./lib/sso.ts";
import { BENCH_SERVER_URL, fmt, percentile } from "./lib/stats.ts";

const RUNS = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 200);
const USERS = 50;
/** PostgreSQL 15 flushes an idle backend's counters within 10 s (PGSTAT_IDLE_INTERVAL). */
const SETTLE_MS = 11_000;

type Counters = { xacts: number; written: number; tables: Map<string, number> };

async function counters(): Promise<Counters> {
  const pool = dbPool();
  await pool.query("SELECT pg_stat_clear_snapshot()");
  const db = await pool.query<{ xacts: string; written: string }>(
    `SELECT xact_commit + xact_rollback AS xacts, tup_inserted + tup_updated + tup_deleted AS written
     FROM pg_stat_database WHERE datname = current_database()`,
  );
  const tables = await pool.query<{ relname: string; scans: string }>(
    `SELECT relname, seq_scan + coalesce(idx_scan, 0) AS scans FROM pg_stat_user_tables`,
  );
  const row = db.rows[0] as { xacts: string; written: string };
  return {
    xacts: Number(row.xacts),
    written: Number(row.written),
    tables: new Map(tables.rows.map((t) => [t.relname, Number(t.scans)])),
  };
}

async function main(): Promise<void> {
  const name = uniqueName("keyward_bench_sso");
  await adminQuery(BENCH_SERVER_URL, `CREATE DATABASE ${quoteIdent(name)}`);
  process.env.DATABASE_URL = withDatabase(BENCH_SERVER_URL, name);
  process.env.KEYWARD_SECRET ??= "bench-secret-bench-secret-bench-secret!";
  process.env.KEYWARD_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString("base64");
  resetConfigForTests();
  const port = 3900 + Math.floor(Math.random() * 90);
  const base = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-bench-"));
  try {
    await applyMigrations({ url: process.env.DATABASE_URL });
    await seedUsers(3_000);
    const setup = await seedSso(USERS);
    // Owned by the administrator seedSso made, so that the client may hold users.read.
    const [client] = await seedClients(1, benchUserId(42));
    if (!client) throw new Error("no client");
    await stopChangeFeed();
    const server = startServer(
      {
        ...process.env,
        PORT: String(port),
        KEYWARD_URL: base,
        KEYWARD_DATA_DIR: dataDir,
        KEYWARD_ENV: "production",
      },
      path.join(dataDir, "server.log"),
    );
    try {
      await waitForReady(base, server, 10 * 60_000);
      const pid = webServerPid(server.child.pid as number);
      const driver = new Driver(base, 1);
      const clientBasic = `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString("base64")}`;
      const clientCredentials = async () => {
        const reply = await driver.send(
          "POST",
          "/api/oauth/token",
          { authorization: clientBasic, "content-type": "application/x-www-form-urlencoded" },
          "grant_type=client_credentials",
        );
        if (reply.status !== 200) throw new Error(`client credentials answered ${reply.status}`);
      };
      const jars: Jar[] = [];
      const chains: string[] = [];
      const codes: { code: string; verifier: string }[] = [];
      const flow = async (i: number) => {
        const user = setup.users[i % USERS] as (typeof setup.users)[number];
        const jar = new Jar(user.cookie);
        const { code, verifier } = await authorize(driver, setup, jar);
        const tokens = await exchange(driver, setup, code, verifier);
        jars[i % USERS] = jar;
        chains[i % USERS] = tokens.refresh_token as string;
      };
      // Warm: JIT, the provider's build, the caches every steady state has.
      for (let i = 0; i < 60; i++) await flow(i);
      for (let i = 0; i < 300; i++) await driver.send("GET", "/api/health", {});
      await clientCredentials();

      const scenarios: [string, (i: number) => Promise<unknown>][] = [
        ["floor: GET /api/health", () => driver.send("GET", "/api/health", {})],
        ["full code flow (6 requests)", flow],
        [
          "authorize with the provider session",
          async (i) => codes.push(await authorize(driver, setup, jars[i % USERS] as Jar)),
        ],
        [
          "code exchange",
          async (i) => {
            const { code, verifier } = codes[i] as { code: string; verifier: string };
            chains[i % USERS] = (await exchange(driver, setup, code, verifier)).refresh_token as string;
          },
        ],
        [
          "refresh grant",
          async (i) => {
            const form = { grant_type: "refresh_token", refresh_token: chains[i % USERS] as string };
            chains[i % USERS] = (await tokenRequest(driver, setup, form)).refresh_token as string;
          },
        ],
        ["client credentials (Keyward's own)", clientCredentials],
      ];
      console.log(`${RUNS} sequential runs each; per operation:`);
      for (const [scenario, run] of scenarios) {
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const before = await counters();
        const cpu = cpuSeconds(pid);
        const requests = driver.requests.count;
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const start = performance.now();
          await run(i);
          times.push(performance.now() - start);
        }
        const cpuMs = ((cpuSeconds(pid) - cpu) / RUNS) * 1000;
        const perRequest = (driver.requests.count - requests) / RUNS;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        const after = await counters();
        // Two of the transactions are this script's own reads of the counters.
        const per = (a: number, b: number) => (b - a) / RUNS;
        const tables = [...after.tables]
          .map(([table, scans]) => [table, per(before.tables.get(table) ?? 0, scans)] as const)
          .filter(([, scans]) => scans >= 0.05)
          .sort((a, b) => b[1] - a[1])
          .map(([table, scans]) => `${table} ${fmt(scans, 1)}`)
          .join(", ");
        times.sort((a, b) => a - b);
        const line =
          `${scenario.padEnd(38)} ${fmt(perRequest, 0)} req  server CPU ${fmt(cpuMs, 2).padStart(6)} ms  ` +
          `p50 ${fmt(percentile(times, 0.5), 2).padStart(6)} ms  transactions ${fmt(per(before.xacts + 2, after.xacts), 1).padStart(5)}  ` +
          `rows written ${fmt(per(before.written, after.written), 1).padStart(4)}\n    table reads: ${tables || "none"}`;
        console.log(line);
      }
      driver.close();
    } finally {
      await server.stop();
    }
  } finally {
    await closeDb();
    await adminQuery(BENCH_SERVER_URL, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
