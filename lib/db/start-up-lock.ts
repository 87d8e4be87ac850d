import pg from "pg";

/** Any constant, beside the other 7_294_0xx advisory locks (audit chain, setup, admin guard, keys). */
export const START_UP_LOCK = 7_294_018;

export type StartUpLock = { waited: boolean; release(): Promise<void> };

/**
 * Serialises the start-up of instances that share one database: migrations, the bootstrap (built-in
 * roles, the first administrator), audit retention and the web build each run in one instance at a
 * time, and the next finds them done. A session lock on a connection of its own, so it is held
 * across the migration engine's and Prisma's connections and released if the process dies. A
 * deploy that starts three instances at once thus applies each migration once, builds once (the
 * build stamp tells the others it is current) and never runs an instance on a half-migrated schema.
 */
export async function takeStartUpLock(
  url: string,
  onWait: () => void = () => undefined,
): Promise<StartUpLock> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  // A lost connection releases the lock on the server: say so rather than crash the launcher.
  client.on("error", (error) => console.error(`[keyward] start-up lock connection lost: ${error.message}`));
  await client.connect();
  const tried = await client.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [
    START_UP_LOCK,
  ]);
  let waited = false;
  if (!tried.rows[0]?.locked) {
    waited = true;
    onWait();
    await client.query("SELECT pg_advisory_lock($1)", [START_UP_LOCK]);
  }
  return {
    waited,
    async release() {
      await client.query("SELECT pg_advisory_unlock($1)", [START_UP_LOCK]).catch(() => undefined);
      await client.end().catch(() => undefined);
    },
  };
}
