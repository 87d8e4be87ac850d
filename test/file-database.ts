import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";

import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import { afterAll, beforeAll, inject } from "vitest";

import { resetConfigForTests } from "../lib/config/env.ts";
import { stopChangeFeed } from "../lib/credentials/change-feed.ts";
import { closeDb } from "../lib/db/client.ts";
import { EMBEDDED_EXTENSIONS, freePort } from "../lib/db/embedded.ts";
import { adminQuery, migrationSql, quoteIdent, uniqueName, withDatabase } from "./database.ts";

// Runs before every integration test file: a fresh database for this file alone.
process.env.KEYWARD_DATA_DIR = path.join(os.tmpdir(), `keyward-int-${process.pid}`);
process.env.KEYWARD_SECRET = randomBytes(32).toString("base64url");
process.env.KEYWARD_ENCRYPTION_KEY = randomBytes(32).toString("base64");
process.env.KEYWARD_URL = "http://localhost:3000";

let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  const template = inject("templateDatabaseUrl");
  if (template) {
    const templateName = new URL(template).pathname.slice(1);
    const name = uniqueName("keyward_test");
    await adminQuery(template, `CREATE DATABASE ${quoteIdent(name)} TEMPLATE ${quoteIdent(templateName)}`);
    process.env.DATABASE_URL = withDatabase(template, name);
    process.env.KEYWARD_EMBEDDED_DB = "0";
    cleanup = () => adminQuery(template, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  } else {
    const db = await PGlite.create({ extensions: EMBEDDED_EXTENSIONS });
    for (const sql of migrationSql()) await db.exec(sql);
    // Files run in parallel workers: start each search at a different port.
    const port = await freePort(55_000 + Math.floor(Math.random() * 5_000));
    const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections: 1 });
    await server.start();
    process.env.DATABASE_URL = `postgresql://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
    process.env.KEYWARD_EMBEDDED_DB = "1";
    cleanup = async () => {
      await server.stop();
      await db.close();
    };
  }
  resetConfigForTests();
});

afterAll(async () => {
  await stopChangeFeed();
  await closeDb();
  await cleanup();
});
