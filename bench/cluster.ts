// `npm run bench:cluster`: three instances behind HAProxy against one behind the same HAProxy (the
// other two in maintenance), on this machine; how long a revocation made on one instance takes to
// be obeyed by the others; and the database's CPU per request, from which BENCHMARKS.md models what
// N machines on one PostgreSQL primary sustain. Figures, never assertions.
//   npm run bench:cluster -- [--seconds 10] [--concurrency 16] [--revocations 30]
import { randomBytes } from "node:crypto";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { SYSTEM_CONTEXT } from "../lib/auth/principal.ts";
import { resetConfigForTests } from "../lib/config/env.ts";
import { recordAudit } from "../lib/audit/record-audit.ts";
import { closeDb, db } from "../lib/db/client.ts";
import { mintToken } from "../lib/tokens/mint-token.ts";
import { startCluster } from "../scripts/lib/cluster.ts";
import { makePrincipal } from "../test/factories.ts";
import { adminQuery, quoteIdent, uniqueName, withDatabase } from "../test/database.ts";
import { cpuSeconds, CORES } from "./lib/process-stats.ts";
import { BENCH_SERVER_URL, fmt, percentile } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "10" },
    concurrency: { type: "string", default: "16" },
    revocations: { type: "string", default: "30" },
  },
});
const SECONDS = Number(values.seconds);
const CONCURRENCY = Number(values.concurrency);
const REVOCATIONS = Number(values.revocations);

/** CPU seconds of every PostgreSQL process on this machine (the server the bench uses is local). */
function postgresCpuSeconds(): number {
  const out = execFileSync("ps", ["-eo", "pid,comm"], { encoding: "utf8" });
  let total = 0;
  for (const line of out.split("\n")) {
    const [pid, command] = line.trim().split(/\s+/);
    if (command !== "postgres") continue;
    try {
      total += cpuSeconds(Number(pid));
    } catch {
      // exited meanwhile
    }
  }
  return total;
}

type Run = { perSecond: number; p50: number; p99: number; errors: number; dbMsPerRequest: number };

/** `CONCURRENCY` loops for `SECONDS` seconds, each request made by `request()`. */
async function load(request: () => Promise<Response>): Promise<Run> {
  const samples: number[] = [];
  let errors = 0;
  const until = Date.now() + SECONDS * 1000;
  const dbBefore = postgresCpuSeconds();
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) {
        const t = process.hrtime.bigint();
        const answer = await request().catch(() => null);
        if (answer) await answer.arrayBuffer();
        if (!answer || answer.status >= 300) errors++;
        else samples.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const dbSeconds = postgresCpuSeconds() - dbBefore;
  samples.sort((a, b) => a - b);
  const count = samples.length + errors;
  return {
    perSecond: samples.length / seconds,
    p50: percentile(samples, 0.5),
    p99: percentile(samples, 0.99),
    errors,
    dbMsPerRequest: count ? (dbSeconds * 1000) / count : NaN,
  };
}

async function main(): Promise<void> {
  const database = uniqueName("keyward_bench_cluster");
  await adminQuery(BENCH_SERVER_URL, `CREATE DATABASE ${quoteIdent(database)}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-bench-cluster-"));
  const databaseUrl = withDatabase(BENCH_SERVER_URL, database);
  const secret = randomBytes(32).toString("base64url");
  const encryptionKey = randomBytes(32).toString("base64");
  const cluster = await startCluster({
    databaseUrl,
    redisUrl: process.env.TEST_REDIS_URL || "redis://127.0.0.1:6379",
    dir,
    secret,
    encryptionKey,
    env: {
      KEYWARD_API_RATE_LIMIT: "1000000",
      KEYWARD_ADMIN_EMAIL: "bench-admin@example.test",
      KEYWARD_ADMIN_PASSWORD: `bench ${randomBytes(9).toString("base64url")} admin`,
      LOG_LEVEL: "warn",
    },
  });
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    KEYWARD_URL: cluster.url,
    KEYWARD_SECRET: secret,
    KEYWARD_ENCRYPTION_KEY: encryptionKey,
    KEYWARD_DATA_DIR: path.join(dir, "bench"),
  });
  resetConfigForTests();
  try {
    const { principal } = await makePrincipal(["admin"]);
    const mint = async () =>
      (
        await mintToken({
          actor: principal,
          name: `bench ${randomBytes(4).toString("hex")}`,
          scopes: ["users.read", "roles.read", "roles.write"],
          expiration: "7",
          context: SYSTEM_CONTEXT,
        })
      ).token;
    const token = await mint();
    const auth = { authorization: `Bearer ${token}` };
    const read = () => fetch(`${cluster.url}/api/v1/me`, { headers: auth });
    const write = () =>
      fetch(`${cluster.url}/api/v1/roles`, {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ name: `bench ${randomBytes(6).toString("hex")}`, permissions: [] }),
      });

    const rows: [string, Run, Run][] = [];
    for (const [label, request] of [
      ["verified read (GET /api/v1/me)", read],
      ["audited write (POST /api/v1/roles)", write],
    ] as const) {
      // Warm both ways first: JIT, caches, connections.
      await cluster.unpin();
      await loadFor(2, request);
      const three = await load(request);
      await cluster.pin("k1");
      await loadFor(2, request);
      const one = await load(request);
      await cluster.unpin();
      rows.push([label, one, three]);
    }

    console.log(
      `\n## Three instances vs one behind HAProxy (${os.cpus()[0]?.model ?? "?"}, ${CORES} cores; ${CONCURRENCY} ` +
        `concurrent clients for ${SECONDS} s, load generator on the same machine)\n`,
    );
    console.log(
      "| workload | 1 instance req/s | 3 instances req/s | ratio | p50 ms (1 → 3) | p99 ms (1 → 3) | errors | PostgreSQL CPU ms/request (1 → 3) |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
    for (const [label, one, three] of rows) {
      console.log(
        `| ${label} | ${fmt(one.perSecond, 0)} | ${fmt(three.perSecond, 0)} | ${fmt(three.perSecond / one.perSecond, 2)}× | ` +
          `${fmt(one.p50)} → ${fmt(three.p50)} | ${fmt(one.p99)} → ${fmt(three.p99)} | ${one.errors + three.errors} | ` +
          `${fmt(one.dbMsPerRequest, 3)} → ${fmt(three.dbMsPerRequest, 3)} |`,
      );
    }

    // Revocation on k1, then the others asked in a tight loop until they refuse.
    const delays: number[] = [];
    const answers: number[] = [];
    let servedAfter = 0;
    const instanceUrl = (name: string) =>
      cluster.instances.find((instance) => instance.name === name)?.url ?? "";
    for (let i = 0; i < REVOCATIONS; i++) {
      const minted = await mintToken({
        actor: principal,
        name: `revoked ${i}`,
        scopes: ["users.read"],
        expiration: "7",
        context: SYSTEM_CONTEXT,
      });
      const headers = { authorization: `Bearer ${minted.token}`, "x-forwarded-for": "198.51.100.20" };
      for (const name of ["k2", "k3", "k2", "k3"])
        await (await fetch(`${instanceUrl(name)}/api/v1/me`, { headers })).arrayBuffer();
      const asked = process.hrtime.bigint();
      const revoked = await fetch(`${instanceUrl("k1")}/api/v1/tokens/${minted.id}`, {
        method: "DELETE",
        headers: { ...headers, origin: cluster.url },
      });
      const at = process.hrtime.bigint();
      answers.push(Number(at - asked) / 1e6);
      if (revoked.status !== 204) throw new Error(`revocation answered ${revoked.status}`);
      for (const name of ["k2", "k3"]) {
        for (;;) {
          const answer = await fetch(`${instanceUrl(name)}/api/v1/me`, { headers });
          await answer.arrayBuffer();
          if (answer.status === 401) break;
          servedAfter++;
        }
        delays.push(Number(process.hrtime.bigint() - at) / 1e6);
      }
    }
    delays.sort((a, b) => a - b);
    answers.sort((a, b) => a - b);
    console.log(
      `\n## Revocation on one instance, refused by the others (${REVOCATIONS} tokens, each cached on k2 and k3)\n`,
    );
    console.log(
      `time from k1's 204 to the first 401 on k2/k3: p50 ${fmt(percentile(delays, 0.5), 2)} ms, ` +
        `p99 ${fmt(percentile(delays, 0.99), 2)} ms, max ${fmt(delays.at(-1) ?? NaN, 2)} ms; ` +
        `requests still answered 200 after the revocation: ${servedAfter}`,
    );
    console.log(
      `the revocation's own answer (it waits until every instance has said it dropped the token): ` +
        `p50 ${fmt(percentile(answers, 0.5), 2)} ms, p99 ${fmt(percentile(answers, 0.99), 2)} ms`,
    );

    // The one serial part of every audited write: appending to the audit chain, under its advisory
    // lock. Appends alone, as fast as the database takes them, are the ceiling of audited writes
    // however many instances there are (the model in BENCHMARKS.md).
    await cluster.stop();
    let appends = 0;
    const until = Date.now() + SECONDS * 1000;
    const dbBefore = postgresCpuSeconds();
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (Date.now() < until) {
          await db.$transaction((tx) =>
            recordAudit(tx, {
              action: "role.created",
              actor: { kind: "system", display: "bench" },
              target: { kind: "role", id: `rol_bench${appends}`, display: "bench" },
              context: SYSTEM_CONTEXT,
            }),
          );
          appends++;
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(
      `\n## The audit chain's ceiling: ${fmt(appends / seconds, 0)} appends/s (8 connections, nothing else), ` +
        `PostgreSQL CPU ${fmt(((postgresCpuSeconds() - dbBefore) * 1000) / appends, 3)} ms per append`,
    );
  } finally {
    await closeDb();
    await cluster.stop();
    await adminQuery(BENCH_SERVER_URL, `DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function loadFor(seconds: number, request: () => Promise<Response>): Promise<void> {
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < until) await (await request().catch(() => null))?.arrayBuffer();
    }),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
