// Faults under load, on a cluster of the journeys' own (its own PostgreSQL and Redis, three
// instances, HAProxy): an instance killed, the database restarted, Redis stopped, a rolling
// restart. Every request answered 2xx must have left its write; only what the fault explains may
// fail, and nothing may answer 500.
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { expect, test } from "@playwright/test";
import pg from "pg";

import { SYSTEM_CONTEXT } from "../../lib/auth/principal.ts";
import { resetConfigForTests } from "../../lib/config/env.ts";
import { closeDb } from "../../lib/db/client.ts";
import { mintToken } from "../../lib/tokens/mint-token.ts";
import { makePrincipal } from "../../test/factories.ts";
import { type Cluster, startCluster, waitForInstance } from "../../scripts/lib/cluster.ts";
import { type OwnPostgres, type OwnRedis, startOwnPostgres, startOwnRedis } from "./own-services.ts";

test.describe.configure({ mode: "serial" });

let dir = "";
let postgres: OwnPostgres;
let redis: OwnRedis;
let cluster: Cluster;
let token = "";
let databaseUrl = "";
const savedDatabaseUrl = process.env.DATABASE_URL;
const savedUrl = process.env.KEYWARD_URL;

test.beforeAll(async () => {
  test.setTimeout(8 * 60_000);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-faults-"));
  // The postgres user must reach its data folder inside.
  fs.chmodSync(dir, 0o755);
  postgres = await startOwnPostgres(path.join(dir, "pg"));
  redis = await startOwnRedis();
  const admin = new pg.Client({ connectionString: postgres.url("postgres") });
  await admin.connect();
  await admin.query("CREATE DATABASE keyward");
  await admin.end();
  databaseUrl = postgres.url("keyward");
  cluster = await startCluster({
    databaseUrl,
    redisUrl: redis.url,
    dir: path.join(dir, "cluster"),
    secret: randomBytes(32).toString("base64url"),
    encryptionKey: process.env.KEYWARD_ENCRYPTION_KEY ?? randomBytes(32).toString("base64"),
    servedBy: true,
    // The load's one token must not meet its per-credential limit.
    env: {
      KEYWARD_API_RATE_LIMIT: "1000000",
      KEYWARD_ADMIN_EMAIL: "faults-admin@example.test",
      KEYWARD_ADMIN_PASSWORD: `faults ${randomBytes(9).toString("base64url")} admin`,
    },
  });
  // This process makes its data in the faults' database from here on, for that cluster's origin.
  process.env.DATABASE_URL = databaseUrl;
  process.env.KEYWARD_URL = cluster.url;
  resetConfigForTests();
  const { principal } = await makePrincipal(["admin"]);
  const minted = await mintToken({
    actor: principal,
    name: "fault load",
    scopes: ["roles.read", "roles.write"],
    expiration: "7",
    context: SYSTEM_CONTEXT,
  });
  token = minted.token;
});

test.afterAll(async () => {
  await cluster?.stop();
  await redis?.stop();
  postgres?.close();
  await closeDb();
  process.env.DATABASE_URL = savedDatabaseUrl;
  process.env.KEYWARD_URL = savedUrl;
  resetConfigForTests();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

type Outcome = {
  name: string;
  status: number;
  type: string;
  ms: number;
  startedAt: number;
  servedBy: string;
  error?: string;
};

/**
 * Writes through the balancer, `concurrency` at a time, until stopped: each creates a role with a
 * unique name (an audited transaction). Network errors count as status 0.
 */
function startLoad(concurrency = 4) {
  const outcomes: Outcome[] = [];
  let running = true;
  const worker = async () => {
    while (running) {
      const name = `load ${randomUUID()}`;
      const started = Date.now();
      try {
        const answer = await fetch(`${cluster.url}/api/v1/roles`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ name, permissions: ["roles.read"] }),
          signal: AbortSignal.timeout(30_000),
        });
        await answer.arrayBuffer();
        outcomes.push({
          name,
          status: answer.status,
          type: answer.headers.get("content-type") ?? "",
          ms: Date.now() - started,
          startedAt: started,
          servedBy: answer.headers.get("x-served-by") ?? "",
        });
      } catch (error) {
        const cause = error instanceof Error ? String(error.cause ?? error.message) : String(error);
        outcomes.push({
          name,
          status: 0,
          type: "",
          ms: Date.now() - started,
          startedAt: started,
          servedBy: "",
          error: cause,
        });
      }
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    outcomes,
    async stop(): Promise<Outcome[]> {
      running = false;
      await Promise.all(workers);
      return outcomes;
    },
  };
}

/** Every acknowledged write is in the database. */
async function expectAcknowledgedWritesKept(outcomes: Outcome[]) {
  const acknowledged = outcomes.filter((outcome) => outcome.status === 201).map((outcome) => outcome.name);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(`SELECT name FROM "Role" WHERE name = ANY($1)`, [
      acknowledged,
    ]);
    const kept = new Set(rows.map((row) => row.name));
    expect(acknowledged.filter((name) => !kept.has(name))).toEqual([]);
  } finally {
    await client.end();
  }
  return acknowledged.length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const byStatus = (outcomes: Outcome[]) =>
  outcomes.reduce<Record<number, number>>(
    (counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }),
    {},
  );
const allUp = { k1: "UP", k2: "UP", k3: "UP" };

test("kill -9 of one instance under load: the balancer routes around it; only its requests in flight fail", async () => {
  const victim = cluster.instances[1];
  if (!victim) throw new Error("no k2");
  const load = startLoad(4);
  await sleep(2_000);
  await victim.kill();
  // Dead once its port refuses connections (kill() waits for that): a request that reached it
  // before then was in flight on it.
  const diedAt = Date.now();
  await sleep(4_000);
  const outcomes = await load.stop();
  const counts = byStatus(outcomes);
  // Only requests in flight on k2 when it died (4 writers: at most 4) fail: their connection to it
  // was cut, so the balancer answers 502 or drops the client's connection. Every request sent
  // after the kill was retried on another instance (its connection was refused).
  const failed = outcomes.filter((outcome) => outcome.status !== 201);
  expect(failed.length, JSON.stringify(counts)).toBeLessThanOrEqual(4);
  expect(failed.filter((outcome) => outcome.startedAt > diedAt)).toEqual([]);
  expect(failed.filter((outcome) => ![0, 502].includes(outcome.status))).toEqual([]);
  expect(outcomes.filter((outcome) => outcome.status === 201).length).toBeGreaterThan(10);
  await expectAcknowledgedWritesKept(outcomes);
  // Back: it starts again and the balancer sends it requests.
  victim.start();
  await waitForInstance(victim);
  await cluster.waitForStates(allUp);
});

test("PostgreSQL restarts under load: 503 problems while it is down, never a 500 or a hang, then all works again", async () => {
  const load = startLoad(4);
  await sleep(1_500);
  postgres.stop();
  const downAt = Date.now();
  // While it is down every instance says so on /api/ready.
  const ready = await Promise.all(
    cluster.instances.map((instance) => fetch(`${instance.url}/api/ready`).then((answer) => answer.status)),
  );
  expect(ready).toEqual([503, 503, 503]);
  await sleep(4_000);
  postgres.start();
  const upAt = Date.now();
  await cluster.waitForStates(allUp, 30_000);
  await sleep(2_000);
  const outcomes = await load.stop();
  const counts = byStatus(outcomes);
  expect(
    outcomes.filter((outcome) => outcome.status === 500 || outcome.status === 0),
    JSON.stringify(counts),
  ).toEqual([]);
  const failures = outcomes.filter((outcome) => outcome.status !== 201);
  expect(failures.length, JSON.stringify(counts)).toBeGreaterThan(0);
  // Each failure is a 503 problem document (Keyward's while it still got requests, the balancer's
  // once every instance was unready), answered within a few seconds.
  expect(
    failures.filter((outcome) => outcome.status !== 503 || outcome.type !== "application/problem+json"),
  ).toEqual([]);
  expect(Math.max(...failures.map((outcome) => outcome.ms))).toBeLessThan(8_000);
  // Writes succeed again without restarting Keyward, after the database came back.
  const afterwards = startLoad(2);
  await sleep(2_000);
  const recovered = await afterwards.stop();
  expect(byStatus(recovered)).toEqual({ 201: recovered.length });
  expect(upAt - downAt).toBeGreaterThan(3_000);
  await expectAcknowledgedWritesKept([...outcomes, ...recovered]);
});

test("Redis stops under load: per-credential limits fall back to each instance, nothing fails, and return with Redis", async () => {
  /** Remaining requests in the credential's window (RateLimit header) on each instance, in turn. */
  const remainingOn = async (probe: string) => {
    const remaining: number[] = [];
    for (const instance of [...cluster.instances, ...cluster.instances]) {
      const answer = await fetch(`${instance.url}/api/v1/roles?limit=1`, {
        headers: { authorization: `Bearer ${probe}` },
      });
      expect(answer.status).toBe(200);
      remaining.push(Number(/r=(\d+)/.exec(answer.headers.get("ratelimit") ?? "")?.[1]));
    }
    return remaining;
  };
  const { principal } = await makePrincipal(["admin"]);
  const probe = async () =>
    (
      await mintToken({
        actor: principal,
        name: `probe ${randomUUID()}`,
        scopes: ["roles.read"],
        expiration: "7",
        context: SYSTEM_CONTEXT,
      })
    ).token;
  const limit = 1_000_000;
  // With Redis, one count across the three instances.
  expect(await remainingOn(await probe())).toEqual([1, 2, 3, 4, 5, 6].map((n) => limit - n));

  const load = startLoad(3);
  await sleep(1_000);
  await redis.stop();
  await sleep(1_500);
  // Without it, each instance counts on its own (the documented fallback): the limit still holds,
  // per instance.
  expect(await remainingOn(await probe())).toEqual([1, 1, 1, 2, 2, 2].map((n) => limit - n));
  await redis.start();
  // The clients reconnect by themselves; then one count again.
  await expect(async () => {
    expect(await remainingOn(await probe())).toEqual([1, 2, 3, 4, 5, 6].map((n) => limit - n));
  }).toPass({ timeout: 20_000 });
  const outcomes = await load.stop();
  expect(byStatus(outcomes)).toEqual({ 201: outcomes.length });
  await expectAcknowledgedWritesKept(outcomes);
});

test("a rolling restart of the three under load loses no request: each drains, finishes and exits cleanly", async () => {
  const load = startLoad(4);
  await sleep(1_000);
  for (const instance of cluster.instances) {
    const stopped = await instance.stop();
    expect(stopped, instance.name).toEqual({ code: 0, signal: null, killed: false });
    const log = fs.readFileSync(instance.log, "utf8");
    expect(log).toMatch(/flush|batched/i);
    instance.start();
    await waitForInstance(instance);
    await cluster.waitForStates(allUp);
  }
  await sleep(1_000);
  const outcomes = await load.stop();
  expect(byStatus(outcomes)).toEqual({ 201: outcomes.length });
  expect(new Set(outcomes.map((outcome) => outcome.servedBy))).toEqual(new Set(["k1", "k2", "k3"]));
  await expectAcknowledgedWritesKept(outcomes);
});
