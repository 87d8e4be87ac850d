import { afterAll, describe, expect, it } from "vitest";

import { resetConfigForTests } from "../config/env.ts";
import { closeDpopReplay, firstUseOfProof } from "./replay.ts";
import { redisReachable, TEST_REDIS } from "@/test/redis";

/**
 * Guarantee (issue 16 §4): a proof's jti is taken once per key within its window, never with a
 * database write: in memory per instance, and with REDIS_URL exactly across instances (an instance
 * started afresh, with empty memory, still refuses a proof another one took).
 */
const REDIS_URL = TEST_REDIS;
const redisUp = await redisReachable(REDIS_URL);
const unique = () => `${Date.now()}-${Math.random()}`;

afterAll(async () => {
  delete process.env.REDIS_URL;
  resetConfigForTests();
  await closeDpopReplay();
});

describe("DPoP proof ids", () => {
  it("are taken once per key in one instance's memory, and concurrently too", async () => {
    const jti = unique();
    const results = await Promise.all(Array.from({ length: 10 }, () => firstUseOfProof("key-a", jti)));
    expect(results.filter(Boolean)).toHaveLength(1);
    // The same id under another key is another proof.
    expect(await firstUseOfProof("key-b", jti)).toBe(true);
  });

  it.skipIf(!redisUp)("are taken once across instances with REDIS_URL", async () => {
    process.env.REDIS_URL = REDIS_URL;
    resetConfigForTests();
    await closeDpopReplay();
    const jti = unique();
    expect(await firstUseOfProof("key-a", jti)).toBe(true);
    // Another instance: nothing in its memory, the same Redis.
    await closeDpopReplay();
    expect(await firstUseOfProof("key-a", jti)).toBe(false);
  });
});
