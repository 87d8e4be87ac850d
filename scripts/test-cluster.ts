// `npm run test:cluster`: three instances behind HAProxy (deploy/haproxy.cfg, deploy/keyward@.service)
// started at the same moment on a fresh database (they take turns for migrations and the build),
// then the cluster journeys (e2e/cluster) in Chromium against the balancer. The fault journeys start
// a PostgreSQL and a Redis of their own, so the machine's shared services are never stopped.
// Needs a PostgreSQL server (TEST_DATABASE_URL or DATABASE_URL, else 127.0.0.1:5432), Redis
// (TEST_REDIS_URL, else 127.0.0.1:6379) and HAProxy.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { adminQuery, quoteIdent, uniqueName, withDatabase } from "../test/database.ts";
import { startCluster } from "./lib/cluster.ts";

const serverUrl =
  process.env.TEST_DATABASE_URL ||
  process.env.DATABASE_URL ||
  "postgresql://postgres@127.0.0.1:5432/postgres";
const redisUrl = process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379";
const bin = (...parts: string[]) => path.join(process.cwd(), "node_modules", ...parts);

/** The per-credential limit the cluster runs with: low, so the limits journey reaches it quickly. */
const CLUSTER_API_RATE_LIMIT = 40;

async function main(): Promise<number> {
  const database = uniqueName("keyward_cluster");
  await adminQuery(serverUrl, `CREATE DATABASE ${quoteIdent(database)}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-cluster-"));
  const databaseUrl = withDatabase(serverUrl, database);
  let cluster: Awaited<ReturnType<typeof startCluster>> | undefined;
  const secret = randomBytes(32).toString("base64url");
  const encryptionKey = randomBytes(32).toString("base64");
  try {
    const started = Date.now();
    console.log(`[cluster] starting three instances behind HAProxy (database ${database}, logs in ${dir})`);
    cluster = await startCluster({
      databaseUrl,
      redisUrl,
      dir,
      secret,
      encryptionKey,
      servedBy: true,
      env: {
        KEYWARD_API_RATE_LIMIT: String(CLUSTER_API_RATE_LIMIT),
        // The test's own requests to an instance's port come from loopback too: their
        // X-Forwarded-For (a distinct address per journey) is believed, as a proxy's would be.
        KEYWARD_TRUSTED_PROXIES: "127.0.0.1",
        // Setup closed from the start, as a provisioned deployment does it.
        KEYWARD_ADMIN_EMAIL: "cluster-admin@example.test",
        KEYWARD_ADMIN_PASSWORD: `cluster ${randomBytes(9).toString("base64url")} admin`,
      },
    });
    console.log(`[cluster] up at ${cluster.url} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const playwright = spawn(
      process.execPath,
      [
        bin("@playwright", "test", "cli.js"),
        "test",
        "-c",
        "playwright.cluster.config.ts",
        ...process.argv.slice(2),
      ],
      {
        stdio: "inherit",
        env: {
          ...process.env,
          // The journeys make their data with lib/ (as the e2e layer does): the same secrets.
          KEYWARD_SECRET: secret,
          KEYWARD_ENCRYPTION_KEY: encryptionKey,
          KEYWARD_DATA_DIR: path.join(dir, "journeys"),
          // …and the same public origin: it names Keyward's own API (the tokens' audience).
          KEYWARD_URL: cluster.url,
          E2E_BASE_URL: cluster.url,
          E2E_DATABASE_URL: databaseUrl,
          E2E_CLUSTER: JSON.stringify({
            socket: path.join(dir, "haproxy.sock"),
            dir,
            instances: cluster.instances.map(({ name, url, metricsUrl, log }) => ({
              name,
              url,
              metricsUrl,
              log,
            })),
            apiRateLimit: CLUSTER_API_RATE_LIMIT,
            redisUrl,
            adminUrl: serverUrl,
          }),
        },
      },
    );
    const status = await new Promise<number>((resolve) =>
      playwright.on("exit", (code) => resolve(code ?? 1)),
    );
    if (status !== 0) printErrors(cluster.instances.map((instance) => instance.log));
    return status;
  } catch (error) {
    console.error(`[cluster] ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  } finally {
    await cluster?.stop();
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function printErrors(logs: string[]): void {
  for (const log of logs) {
    if (!fs.existsSync(log)) continue;
    const lines = fs.readFileSync(log, "utf8").split("\n");
    const errors = lines.filter((line) => /"level":"(error|fatal)"|error|unhandled/i.test(line)).slice(-20);
    if (errors.length > 0)
      console.error(`[cluster] ${path.basename(log)}, error lines:\n${errors.join("\n")}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
