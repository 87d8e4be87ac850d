// `npm run cluster`: three Keyward instances behind HAProxy on this machine, from the deployment's
// own files (deploy/keyward@.service, deploy/haproxy.cfg), on the PostgreSQL in DATABASE_URL (and
// the Redis in REDIS_URL, if set). A rehearsal of a production deployment, not a production one:
// every process runs here, on loopback, and stops with Ctrl-C.
import fs from "node:fs";
import path from "node:path";

import { ConfigError } from "../lib/config/env.ts";
import { loadSecrets } from "../lib/config/secrets.ts";
import { startCluster } from "./lib/cluster.ts";

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    throw new ConfigError(
      "set DATABASE_URL to a PostgreSQL database: the embedded one serves a single instance " +
        "(e.g. DATABASE_URL=postgresql://postgres@127.0.0.1:5432/keyward_cluster npm run cluster)",
    );
  }
  const dir = path.resolve(process.env.KEYWARD_CLUSTER_DIR ?? ".data-cluster");
  fs.mkdirSync(dir, { recursive: true });
  // One pair of secrets for all three, generated once into the folder unless set.
  const secrets = loadSecrets({ env: process.env, dataDir: dir, production: false });
  console.log(`[cluster] starting three instances and HAProxy (logs in ${dir})...`);
  const cluster = await startCluster({
    databaseUrl,
    redisUrl: process.env.REDIS_URL,
    dir,
    secret: secrets.sessionSecret,
    encryptionKey: secrets.encryptionKeys[0]?.toString("base64") ?? "",
    env: Object.fromEntries(
      ["KEYWARD_ADMIN_EMAIL", "KEYWARD_ADMIN_PASSWORD", "SMTP_URL", "KEYWARD_MAIL_FROM", "LOG_LEVEL"]
        .filter((name) => process.env[name])
        .map((name) => [name, process.env[name]]),
    ),
  });
  console.log(`[cluster] Keyward is ready at ${cluster.url}`);
  for (const instance of cluster.instances)
    console.log(`[cluster]   ${instance.name} on ${instance.url} (${instance.log})`);
  const code = latestSetupCode(cluster.instances.map((instance) => instance.log));
  if (code) console.log(`[cluster] first run: open ${cluster.url}/setup with the setup code ${code}`);
  console.log("[cluster] Ctrl-C stops all of it.");

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log("[cluster] stopping...");
    void cluster.stop().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

/**
 * Each instance that finds setup open issues a code and revokes the earlier one: the valid code is
 * the one issued last, the one valid until the latest time.
 */
function latestSetupCode(logs: string[]): string | undefined {
  const codes = logs.flatMap((log) =>
    [...fs.readFileSync(log, "utf8").matchAll(/Setup code: (\S+)\s*│\n\s*│\s*Valid until (\S+)/g)].map(
      (m) => ({
        code: m[1] ?? "",
        until: m[2] ?? "",
      }),
    ),
  );
  return codes.sort((a, b) => a.until.localeCompare(b.until)).at(-1)?.code;
}

main().catch((error: unknown) => {
  console.error(`[cluster] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
