import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";

import { getConfig } from "../config/env.ts";
import { stopChangeFeed } from "../credentials/change-feed.ts";
import { timeConnections } from "../observability/pool-timing.ts";
import { PrismaClient } from "./generated/client.ts";

export type Db = InstanceType<typeof PrismaClient>;
/** The client handed to a transaction callback: every query inside a transaction must use it. */
export type Tx = Parameters<Parameters<Db["$transaction"]>[0]>[0];

type Handles = { prisma: Db; pool: pg.Pool; url: string };

// One pool per process, kept on globalThis: Next may load this module once per route bundle,
// and dev reloads would otherwise leak pools.
const store = globalThis as typeof globalThis & { __keywardDb?: Handles };

function open(): Handles {
  const config = getConfig();
  const url = config.databaseUrl;
  if (!url) throw new Error("DATABASE_URL is not set (npm start sets it, embedded or not)");
  // PGlite's socket server serves one connection: a larger pool would wait on it forever.
  const max = config.embeddedDatabase ? 1 : config.databasePoolMax;
  // No JIT: Keyward's queries are short, and the overview's counts over 100,000 rows are costed
  // high enough to trigger it, which then spends ~200 ms compiling a 30 ms query (measured with
  // `npm run bench:overview`). A startup option, so it holds from the connection's first query;
  // the embedded PGlite has no JIT to turn off.
  const pool = new pg.Pool({
    connectionString: url,
    max,
    idleTimeoutMillis: 30_000,
    // Both a new connection and a wait for a free one give up after this long: the request is then
    // answered 503 (lib/db/unavailable.ts) instead of hanging while the database is down. Not for
    // the embedded server's single connection, which requests take turns on by design.
    connectionTimeoutMillis: config.embeddedDatabase ? 0 : config.databaseConnectTimeoutMs,
    ...(config.embeddedDatabase ? {} : { options: "-c jit=off" }),
  });
  // An idle client that loses its server must not crash the process: the next query reconnects.
  pool.on("error", (error) => console.error(`[db] idle client error: ${error.message}`));
  // Pool size, idle and waiting counts, and how long each checkout waited (lib/observability).
  timeConnections(pool);
  // Transactions wait for the audit chain lock and, in embedded mode, for the only connection:
  // allow for a busy machine rather than fail a user's change after Prisma's 2 s / 5 s defaults.
  const prisma = new PrismaClient({
    adapter: new PrismaPg(pool),
    transactionOptions: { maxWait: 10_000, timeout: 15_000 },
  });
  return { prisma, pool, url };
}

function handles(): Handles {
  const current = store.__keywardDb;
  if (current && current.url === getConfig().databaseUrl) return current;
  store.__keywardDb = open();
  return store.__keywardDb;
}

/** The Prisma client, opened on first use (so tests can point DATABASE_URL elsewhere first). */
export const db: Db = new Proxy({} as Db, {
  get(_target, property) {
    const client = handles().prisma;
    const value = Reflect.get(client, property, client) as unknown;
    return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(client) : value;
  },
});

/** The underlying pg pool, shared with the PostgreSQL rate-limit store. */
export function dbPool(): pg.Pool {
  return handles().pool;
}

/**
 * Closes the pool, and the change feed's listener with it: a script that read settings or verified
 * a credential (which start the listener) then exits as soon as it is done.
 */
export async function closeDb(): Promise<void> {
  await stopChangeFeed();
  const current = store.__keywardDb;
  store.__keywardDb = undefined;
  if (current) {
    await current.prisma.$disconnect();
    await current.pool.end();
  }
}
