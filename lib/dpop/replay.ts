import type { Redis } from "ioredis";
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";

import { getConfig } from "../config/env.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { redisClient } from "../limits/redis-client.ts";
import { PROOF_REPLAY_WINDOW_SECONDS } from "./proof.ts";

/**
 * RFC 9449 §11.1: a proof's `jti` is refused the second time within its window. A per-request
 * record, so never a database write: one use allowed per (key, jti) and window, counted by
 * rate-limiter-flexible in this instance's memory, or in Redis when REDIS_URL is set (exact across
 * instances; memory is the insurance while Redis is unreachable, as for the API limits). Without
 * Redis, a proof replayed to a different instance within its window is accepted there once:
 * SECURITY.md says so.
 */
type Backend = { key: string; limiter: RateLimiterAbstract; redis?: Redis };
const store = globalThis as typeof globalThis & { __keywardDpopReplay?: Backend };

function backend(): RateLimiterAbstract {
  const url = getConfig().redisUrl;
  const key = url ?? "memory";
  if (store.__keywardDpopReplay?.key === key) return store.__keywardDpopReplay.limiter;
  void store.__keywardDpopReplay?.redis?.quit().catch(() => undefined);
  const options = { keyPrefix: "kw_dpop", points: 1, duration: PROOF_REPLAY_WINDOW_SECONDS };
  const memory = new RateLimiterMemory(options);
  const redis = url ? redisClient(url, "dpop") : undefined;
  const limiter = redis
    ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory })
    : memory;
  store.__keywardDpopReplay = { key, limiter, redis };
  return limiter;
}

/** True the first time this key's proof id is seen within the window; false for a replay. */
export async function firstUseOfProof(jkt: string, jti: string): Promise<boolean> {
  try {
    await backend().consume(sha256Hex(`${jkt} ${jti}`));
    return true;
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return false;
    throw rejection;
  }
}

export async function closeDpopReplay(): Promise<void> {
  const current = store.__keywardDpopReplay;
  store.__keywardDpopReplay = undefined;
  await current?.redis?.quit().catch(() => undefined);
}
