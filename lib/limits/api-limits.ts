import type { Redis } from "ioredis";
import {
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from "rate-limiter-flexible";

import { getConfig } from "../config/env.ts";
import { countLimiterRejection } from "../observability/metrics.ts";
import { redisClient } from "./redis-client.ts";

/**
 * Requests per API credential (token or client), per minute. Never a database write per request:
 * memory in one instance, Redis (exact across instances) when REDIS_URL is set, with memory as the
 * fallback while Redis is unreachable.
 */
export type ApiLimitResult = { allowed: boolean; limit: number; remaining: number; resetSeconds: number };

const WINDOW_SECONDS = 60;
type Backend = { key: string; limiter: RateLimiterAbstract; redis?: Redis };
const store = globalThis as typeof globalThis & { __keywardApiLimiter?: Backend };

function backend(): RateLimiterAbstract {
  const config = getConfig();
  const key = `${config.apiRateLimitPerMinute}:${config.redisUrl ?? "memory"}`;
  if (store.__keywardApiLimiter?.key === key) return store.__keywardApiLimiter.limiter;
  void store.__keywardApiLimiter?.redis?.quit().catch(() => undefined);
  const options = { keyPrefix: "kw_api", points: config.apiRateLimitPerMinute, duration: WINDOW_SECONDS };
  const memory = new RateLimiterMemory(options);
  // While Redis is unreachable the insurance (memory) limiter answers, so limits still hold, per
  // instance.
  const redis = config.redisUrl ? redisClient(config.redisUrl, "limits") : undefined;
  const limiter = redis
    ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: memory })
    : memory;
  store.__keywardApiLimiter = { key, limiter, redis };
  return limiter;
}

export async function consumeApiRequest(credentialKey: string): Promise<ApiLimitResult> {
  const limit = getConfig().apiRateLimitPerMinute;
  try {
    const res = await backend().consume(credentialKey);
    return {
      allowed: true,
      limit,
      remaining: res.remainingPoints,
      resetSeconds: Math.ceil(res.msBeforeNext / 1000),
    };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      countLimiterRejection("api_credential");
      return {
        allowed: false,
        limit,
        remaining: 0,
        resetSeconds: Math.max(1, Math.ceil(rejection.msBeforeNext / 1000)),
      };
    }
    throw rejection;
  }
}

export async function closeApiLimiter(): Promise<void> {
  const current = store.__keywardApiLimiter;
  store.__keywardApiLimiter = undefined;
  await current?.redis?.quit().catch(() => undefined);
}

/** The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers). */
export function rateLimitHeaders(result: ApiLimitResult): Record<string, string> {
  return {
    "ratelimit-policy": `"credential";q=${result.limit};w=${WINDOW_SECONDS}`,
    ratelimit: `"credential";r=${result.remaining};t=${result.resetSeconds}`,
  };
}
