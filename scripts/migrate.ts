// `npm run db:migrate`: applies prisma/migrations to DATABASE_URL, or to the embedded database in the
// data folder (stop Keyward first: the embedded database takes one process at a time).
import { ConfigError } from "../lib/config/env.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { openDatabase } from "../lib/db/open-database.ts";

async function main(): Promise<void> {
  const database = await openDatabase();
  try {
    const applied = await applyMigrations({ url: database.url });
    console.log(applied.length > 0 ? `Applied: ${applied.join(", ")}` : "The database is up to date.");
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof Error ? error.message : error);
  process.exit(1);
});
