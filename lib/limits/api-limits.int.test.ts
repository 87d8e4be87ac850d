import { Redis } from "ioredis";
import { RateLimiterRedis } from "rate-limiter-flexible";
import { afterAll, describe, expect, it } from "vitest";

import { resetConfigForTests } from "../config/env.ts";
import { closeApiLimiter, consumeApiRequest } from "./api-limits.ts";
import { redisReachable, TEST_REDIS } from "@/test/redis";

const REDIS_URL = TEST_REDIS;
const redisUp = await redisReachable(REDIS_URL);

afterAll(async () => {
  delete process.env.REDIS_URL;
  delete process.env.KEYWARD_API_RATE_LIMIT;
  resetConfigForTests();
  await closeApiLimiter();
});

// Guarantee: with REDIS_URL, a credential's budget is one budget across every instance.
describe.skipIf(!redisUp)("per-credential limits in Redis", () => {
  it("count requests made through another instance against the same limit", async () => {
    process.env.REDIS_URL = REDIS_URL;
    process.env.KEYWARD_API_RATE_LIMIT = "5";
    resetConfigForTests();
    const key = `token:test_${Date.now()}_${Math.random()}`;

    // "Another instance": its own connection and limiter, configured as ours is.
    const otherRedis = new Redis(REDIS_URL);
    const other = new RateLimiterRedis({
      storeClient: otherRedis,
      keyPrefix: "kw_api",
      points: 5,
      duration: 60,
    });
    try {
      for (let i = 0; i < 3; i++) await other.consume(key);
      const results = [];
      for (let i = 0; i < 3; i++) results.push(await consumeApiRequest(key));
      expect(results.map((result) => result.allowed)).toEqual([true, true, false]);
      expect(results[1]?.remaining).toBe(0);
      expect(results[2]?.resetSeconds).toBeGreaterThan(0);
    } finally {
      await otherRedis.quit();
    }
  });
});

// Guarantee: an unreachable Redis slows nothing down for long and locks nobody out: each instance
// counts in memory until it is back (ASVS 16.5.2).
describe("per-credential limits without Redis", () => {
  it("fall back to memory when Redis cannot be reached", async () => {
    process.env.REDIS_URL = "redis://127.0.0.1:1";
    process.env.KEYWARD_API_RATE_LIMIT = "2";
    resetConfigForTests();
    const key = `token:fallback_${Date.now()}`;
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await consumeApiRequest(key));
    expect(results.map((result) => result.allowed)).toEqual([true, true, false]);
  }, 20_000);
});
