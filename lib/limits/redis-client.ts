import { Redis } from "ioredis";

/**
 * A Redis client for the per-request counters that must never be a database write (API limits,
 * DPoP proof ids): a command waits at most a second, and errors are logged, never thrown at the
 * caller's request; each user keeps an in-memory fallback for while Redis is unreachable.
 */
export function redisClient(url: string, label: string): Redis {
  const redis = new Redis(url, { commandTimeout: 1_000, maxRetriesPerRequest: 1 });
  redis.on("error", (error: Error) => console.error(`[${label}] redis: ${error.message}`));
  return redis;
}
