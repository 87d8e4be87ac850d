import {
  RateLimiterMemory,
  RateLimiterPostgres,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";

import { getConfig } from "../config/env.ts";
import { dbPool } from "../db/client.ts";
import { countLimiterRejection } from "../observability/metrics.ts";

/**
 * Limits over rate-limiter-flexible. `consume` is atomic in every store, so parallel attempts cannot
 * exceed a limit. Guessable secrets use the "exact" store: PostgreSQL, shared by every instance.
 * Embedded mode is a single instance, where memory is exact too (and PGlite has one connection).
 */
export type LimitSpec = {
  /** Key prefix: one limiter per name. */
  name: string;
  points: number;
  durationSeconds: number;
  /** Once exhausted, stay blocked this long (defaults to the rest of the window). */
  blockSeconds?: number;
  /**
   * "memory": per instance, for limits against floods rather than guessing (no database read or
   * write per request). Default: the exact store.
   */
  store?: "memory";
};

export type LimitResult =
  { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

export type Limiter = {
  consume(key: string, points?: number): Promise<LimitResult>;
  /** Gives points back (e.g. a successful sign-in does not count against the source address). */
  reward(key: string, points?: number): Promise<void>;
  reset(key: string): Promise<void>;
  /** Whether `key` is over the limit now, without counting anything. */
  peek(key: string): Promise<LimitResult>;
};

const store = globalThis as typeof globalThis & { __keywardLimiters?: Map<string, RateLimiterAbstract> };

function backend(spec: LimitSpec): RateLimiterAbstract {
  const limiters = (store.__keywardLimiters ??= new Map());
  const cacheKey = `${spec.name}:${spec.points}:${spec.durationSeconds}:${spec.blockSeconds ?? 0}:${getConfig().databaseUrl}`;
  let limiter = limiters.get(cacheKey);
  if (!limiter) {
    const options = {
      keyPrefix: spec.name,
      points: spec.points,
      duration: spec.durationSeconds,
      blockDuration: spec.blockSeconds ?? 0,
    };
    limiter =
      getConfig().embeddedDatabase || spec.store === "memory"
        ? new RateLimiterMemory(options)
        : new RateLimiterPostgres({
            ...options,
            storeClient: dbPool(),
            storeType: "pool",
            tableName: "rate_limits",
            // The table belongs to our migrations; expired rows are pruned by the library hourly.
            tableCreated: true,
            clearExpiredByTimeout: true,
          });
    limiters.set(cacheKey, limiter);
  }
  return limiter;
}

export function limiter(spec: LimitSpec): Limiter {
  return {
    async consume(key, points = 1) {
      try {
        const res = await backend(spec).consume(key, points);
        return { allowed: true, remaining: res.remainingPoints };
      } catch (rejection) {
        // A RateLimiterRes means "over the limit"; anything else is a store failure: fail closed.
        if (rejection instanceof RateLimiterRes) {
          countLimiterRejection(spec.name);
          return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)) };
        }
        throw rejection;
      }
    },
    async reward(key, points = 1) {
      await backend(spec).reward(key, points);
    },
    async reset(key) {
      await backend(spec).delete(key);
    },
    async peek(key) {
      const res = await backend(spec).get(key);
      if (!res || res.consumedPoints < spec.points) {
        return { allowed: true, remaining: spec.points - (res?.consumedPoints ?? 0) };
      }
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
    },
  };
}
