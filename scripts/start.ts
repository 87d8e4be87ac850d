// `npm start`: zero-configuration start-up. Database (embedded unless DATABASE_URL), migrations,
// first administrator or setup code, a build when missing or stale, then the server.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";

import { pruneAuditEvents } from "../lib/audit/prune-events.ts";
import { SYSTEM_CONTEXT } from "../lib/auth/principal.ts";
import { ConfigError, getConfig } from "../lib/config/env.ts";
import { SECRETS_FILE } from "../lib/config/secrets.ts";
import { closeDb } from "../lib/db/client.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { takeStartUpLock } from "../lib/db/start-up-lock.ts";
import { openDatabase } from "../lib/db/open-database.ts";
import { bootstrap } from "../lib/setup/bootstrap.ts";
import { buildIsCurrent, withBuildLock, writeBuildStamp } from "./lib/build-stamp.ts";
import { unsupportedNodeMessage } from "./lib/node-version.ts";

const dev = process.argv.includes("--dev");

async function main(): Promise<void> {
  const unsupported = unsupportedNodeMessage();
  if (unsupported) {
    console.error(unsupported);
    process.exit(1);
  }
  const config = getConfig();
  if (config.generatedSecrets.length > 0) {
    console.log(
      `[keyward] Generated ${config.generatedSecrets.join(" and ")} into ${path.join(config.dataDir, SECRETS_FILE)}.\n` +
        `[keyward] Back this file up with the database: losing the encryption key loses every TOTP secret and signing key.`,
    );
  }

  const database = await openDatabase();
  console.log(
    database.embedded
      ? `[keyward] Embedded PostgreSQL (data in ${config.dataDir})`
      : "[keyward] Using DATABASE_URL",
  );
  // Several instances on one PostgreSQL take turns from here to the build (lib/db/start-up-lock.ts).
  // The embedded database is one instance with one connection: no lock to take, nor room for it.
  const lock = database.embedded
    ? null
    : await takeStartUpLock(database.url, () =>
        console.log(
          "[keyward] Another instance is starting on this database: waiting for its migrations and build.",
        ),
      );
  const applied = await applyMigrations({ url: database.url });
  await database.idle();
  if (applied.length > 0) console.log(`[keyward] Applied migrations: ${applied.join(", ")}`);

  const boot = await bootstrap();
  if (boot.state === "admin_created")
    console.log(`[keyward] Created the administrator ${boot.email} from KEYWARD_ADMIN_EMAIL.`);
  if (boot.state === "awaiting_setup") {
    const url = new URL("/setup", getConfig().publicUrl).href;
    console.log(
      [
        "",
        "  ┌────────────────────────────────────────────────────────────┐",
        `  │  First run: open ${url.padEnd(42)}│`,
        `  │  Setup code: ${boot.code.padEnd(46)}│`,
        `  │  Valid until ${boot.expiresAt.toISOString().padEnd(46)}│`,
        "  └────────────────────────────────────────────────────────────┘",
        "",
      ].join("\n"),
    );
  }
  // Audit retention (off unless set): applied at every start; `npm run audit:prune` for cron.
  const pruned = await pruneAuditEvents({
    actor: { kind: "system", display: "keyward" },
    context: SYSTEM_CONTEXT,
  });
  if (pruned.pruned > 0)
    console.log(`[keyward] Audit retention: pruned ${pruned.pruned} events behind a signed checkpoint.`);
  // The embedded server takes one connection: hand it over to the web server (closing the change
  // feed's listener too, which reading the settings may have opened).
  await closeDb();
  await database.idle();

  if (!dev && !buildIsCurrent()) {
    const built = await withBuildLock(() => {
      // Another process may have built it while this one waited.
      if (buildIsCurrent()) return true;
      console.log("[keyward] Building the web app (first start or changed sources)...");
      const build = spawnSync(process.execPath, [NEXT_BIN, "build"], {
        stdio: "inherit",
        env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1" },
      });
      if (build.status !== 0) return false;
      writeBuildStamp();
      return true;
    });
    if (!built) {
      await database.close();
      throw new Error("next build failed");
    }
  }
  await lock?.release();

  const current = getConfig();
  const child = spawn(process.execPath, ["scripts/server.js", ...(dev ? ["--dev"] : [])], {
    stdio: "inherit",
    env: {
      ...process.env,
      NODE_ENV: dev ? "development" : "production",
      NEXT_TELEMETRY_DISABLED: "1",
      DATABASE_URL: database.url,
      KEYWARD_EMBEDDED_DB: database.embedded ? "1" : "0",
      KEYWARD_SECRET: current.sessionSecret,
      KEYWARD_ENCRYPTION_KEY: current.encryptionKeys[0]?.toString("base64"),
      KEYWARD_URL: current.publicUrl.origin,
      NEXTAUTH_URL: current.publicUrl.origin,
      PORT: String(current.port),
    },
  });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    child.kill(signal);
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  const code = await new Promise<number>((resolve) => child.on("exit", (status) => resolve(status ?? 0)));
  await database.close();
  process.exit(stopping ? 0 : code);
}

const NEXT_BIN = path.join(process.cwd(), "node_modules", "next", "dist", "bin", "next");

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`[keyward] ${error.message}`);
  else console.error("[keyward] start-up failed:", error instanceof Error ? error.message : error);
  process.exit(1);
});
