import type pg from "pg";

import { observePoolWait, watchPool } from "./metrics.ts";

type Release = (release?: unknown) => void;
type Callback = (error: Error | undefined, client: pg.PoolClient | undefined, release: Release) => void;
type Connect = (callback?: Callback) => Promise<pg.PoolClient> | undefined;

/**
 * Reports the pool's gauges, and times every wait for a connection: pg-pool's `query` checks a
 * client out through `this.connect`, and Prisma's adapter calls `connect` for transactions, so
 * wrapping the instance's `connect` sees both. The wait ends when a client is handed over (or the
 * wait fails: a timeout is a wait too). Two clock reads and one histogram update per checkout.
 */
export function timeConnections(pool: pg.Pool): void {
  watchPool(pool);
  const connect = (pool.connect as Connect).bind(pool);
  const timed: Connect = (callback) => {
    const started = performance.now();
    const waited = () => observePoolWait((performance.now() - started) / 1000);
    if (callback) {
      return connect((error, client, release) => {
        waited();
        callback(error, client, release);
      });
    }
    return connect()?.then(
      (client) => {
        waited();
        return client;
      },
      (error: unknown) => {
        waited();
        throw error;
      },
    );
  };
  pool.connect = timed as pg.Pool["connect"];
}
