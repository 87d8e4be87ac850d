import { closeDb } from "../../lib/db/client.ts";
import { applyMigrations } from "../../lib/db/migrate.ts";
import { openDatabase } from "../../lib/db/open-database.ts";

/**
 * An operator command's database: opened (embedded or DATABASE_URL), migrated first when asked,
 * and always released, the app's pool before the embedded server, so the next process can open it.
 */
export async function withDatabase<T>(
  work: () => Promise<T>,
  options: { migrate?: boolean } = {},
): Promise<T> {
  const database = await openDatabase();
  try {
    if (options.migrate) {
      await applyMigrations({ url: database.url });
      // The embedded server takes one connection: let the migrations' go before the app's.
      await database.idle();
    }
    return await work();
  } finally {
    await closeDb();
    await database.close();
  }
}
