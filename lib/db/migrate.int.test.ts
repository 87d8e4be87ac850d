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
