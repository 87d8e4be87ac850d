import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import pg from "pg";

/**
 * Test databases. With a PostgreSQL server (TEST_DATABASE_URL or DATABASE_URL), the global setup
 * migrates a template database once and every test file clones it (CREATE DATABASE ... TEMPLATE:
 * fast, and fully isolated). Without one, each file gets its own in-memory PGlite.
 */
export function serverUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

export function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.href;
}

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
}

export async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(url, "postgres") });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The migrations' SQL in order, for databases that need no `_prisma_migrations` bookkeeping. */
export function migrationSql(root = process.cwd()): string[] {
  const dir = path.join(root, "prisma", "migrations");
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8"));
}
