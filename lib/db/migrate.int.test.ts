import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import pg from "pg";
import { describe, expect, it } from "vitest";

import { adminQuery, quoteIdent, serverUrl, uniqueName, withDatabase } from "../../test/database.ts";
import { applyMigrations } from "./migrate.ts";

// Guarantee: start-up applies prisma/migrations with Prisma's own bookkeeping, so stock `prisma migrate` agrees.
describe.runIf(serverUrl())("the WebAssembly migration runner", () => {
  it("applies every migration once and records it in _prisma_migrations", async () => {
    const admin = serverUrl() ?? "";
    const name = uniqueName("keyward_migrate");
    await adminQuery(admin, `CREATE DATABASE ${quoteIdent(name)}`);
    try {
      const url = withDatabase(admin, name);
      const applied = await applyMigrations({ url });
      expect(applied.length).toBeGreaterThan(0);
      expect(await applyMigrations({ url })).toEqual([]);
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query<{ migration_name: string; finished_at: Date | null }>(
        `SELECT migration_name, finished_at FROM _prisma_migrations ORDER BY migration_name`,
      );
      await client.end();
      expect(rows.map((r) => r.migration_name)).toEqual(applied);
      expect(rows.every((r) => r.finished_at !== null)).toBe(true);
    } finally {
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    }
  });
});

// Guarantee: moving grants from string arrays to rows keeps every grant, and reports (keeps) keys
// this version does not define instead of dropping them.
describe.runIf(serverUrl())("the api_permissions migration", () => {
  it("carries role, token and client grants over to rows, unknown keys included", async () => {
    const admin = serverUrl() ?? "";
    const name = uniqueName("keyward_migrate");
    const before = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-migrations-"));
    const migrations = path.join(process.cwd(), "prisma", "migrations");
    fs.mkdirSync(path.join(before, "prisma", "migrations"), { recursive: true });
    fs.copyFileSync(
      path.join(process.cwd(), "prisma", "schema.prisma"),
      path.join(before, "prisma", "schema.prisma"),
    );
    for (const entry of fs.readdirSync(migrations)) {
      if (entry >= "20261202165548_api_permissions") continue;
      fs.cpSync(path.join(migrations, entry), path.join(before, "prisma", "migrations", entry), {
        recursive: true,
      });
    }
    await adminQuery(admin, `CREATE DATABASE ${quoteIdent(name)}`);
    const url = withDatabase(admin, name);
    const client = new pg.Client({ connectionString: url });
    try {
      await applyMigrations({ url, rootDir: before });
      await client.connect();
      await client.query(`
        INSERT INTO "User" (id, email, name, "updatedAt") VALUES ('usr_m', 'm@example.test', 'M', now());
        INSERT INTO "Role" (id, name, permissions, "updatedAt")
          VALUES ('rol_m', 'Old', ARRAY['users.read', 'reports.export', 'users.read'], now());
        INSERT INTO "ApiToken" (id, "userId", name, scopes) VALUES ('tok_m', 'usr_m', 't', ARRAY['users.read']);
        INSERT INTO "ApiClient" (id, "clientId", name, "ownerId", "allowedScopes", "updatedAt")
          VALUES ('cli_m', 'cli_m', 'c', 'usr_m', ARRAY['audit.read', 'legacy.thing'], now());`);
      expect(await applyMigrations({ url })).toEqual([
        "20261202165548_api_permissions",
        ...laterThan("20261202165548"),
      ]);
      const held = async (table: string, key: string, id: string) =>
        (
          await client.query<{ name: string }>(
            `SELECT p.name FROM "${table}" g JOIN "ApiPermission" p ON p.id = g."permissionId"
             WHERE g."${key}" = $1 AND p."apiId" = 'api_keyward' ORDER BY p.name`,
            [id],
          )
        ).rows.map((row) => row.name);
      expect(await held("RolePermission", "roleId", "rol_m")).toEqual(["reports.export", "users.read"]);
      expect(await held("ApiTokenPermission", "tokenId", "tok_m")).toEqual(["users.read"]);
      expect(await held("ApiClientPermission", "clientId", "cli_m")).toEqual(["audit.read", "legacy.thing"]);
    } finally {
      await client.end().catch(() => {});
      fs.rmSync(before, { recursive: true, force: true });
      await adminQuery(admin, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
    }
  });
});

function laterThan(stamp: string): string[] {
  return fs
    .readdirSync(path.join(process.cwd(), "prisma", "migrations"))
    .filter((entry) => /^\d{14}_/.test(entry) && entry.slice(0, 14) > stamp)
    .sort();
}
