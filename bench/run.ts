// `npm run bench [-- --scale] [-- --duration 10] [-- --only permission-use|lists]`: Keyward's hot paths,
// each beside a baseline measured in the same run and printed as a ratio. A benchmark, never a
// test: it fails on nothing but a broken setup. Writes bench/results/<time>.json and
// bench/results/latest.json, then runs bench/overview.ts (the security overview at 100,000 users,
// tokens and 1,000,000 audit events) and bench/cluster.ts (three instances behind HAProxy against
// one, and a revocation across them). `--only permission-use` runs just issue 17's row (and the personal
// token row it is compared with) on a small seed; `--only lists` just group 3, the lists and their
// plans, on the full seed of users and audit events (about a minute).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import autocannon from "autocannon";

import { SYSTEM_CONTEXT } from "../lib/auth/principal.ts";
import { listAuditEvents } from "../lib/audit/list-events.ts";
import { listAuditEventsSchema } from "../lib/audit/audit-schemas.ts";
import { resolveSession } from "../lib/auth/sessions.ts";
import { resetConfigForTests } from "../lib/config/env.ts";
import { stopChangeFeed } from "../lib/credentials/change-feed.ts";
import { clearCredentialCache } from "../lib/credentials/credential-cache.ts";
import { sha256Hex } from "../lib/crypto/hash.ts";
import { hashPassword } from "../lib/crypto/password.ts";
import { closeDb, db, dbPool } from "../lib/db/client.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { builtInRoleId } from "../lib/roles/ensure-built-in-roles.ts";
import { revokeToken } from "../lib/tokens/manage-tokens.ts";
import { verifyPersonalToken } from "../lib/tokens/verify-token.ts";
import { listUsers } from "../lib/users/list-users.ts";
import { listUsersSchema } from "../lib/users/user-schemas.ts";
import { startServer, waitForReady } from "../scripts/lib/server-process.ts";
import { adminQuery, quoteIdent, uniqueName, withDatabase } from "../test/database.ts";
import { betterAuthPeer } from "./lib/better-auth.ts";
import { joseVerification } from "./lib/resource-server.ts";
import { CORES, cpuSeconds, memoryMb, webServerPid } from "./lib/process-stats.ts";
import {
  BENCH_PASSWORD,
  benchUserEmail,
  benchUserId,
  makeOwners,
  seedAuditEvents,
  seedClients,
  seedApiClients,
  BENCH_API_IDENTIFIER,
  seedTokens,
  seedUsers,
  seedResourceServer,
} from "./lib/seed.ts";
import { BUILT_IN_API_ID } from "../lib/apis/built-in-api.ts";
import { planShapes } from "./lib/plans.ts";
import { fmt, type Latency, measure } from "./lib/stats.ts";
import { type Figure, measureSso, seedSso } from "./lib/sso.ts";
import { ath, boundClientToken, proofMaker } from "./lib/dpop.ts";
import { permissionUseCost } from "./lib/permission-use.ts";
import { PERMISSION_USE_FLUSH_MS } from "../lib/credentials/permission-use.ts";
import { verifyDpopProof } from "../lib/dpop/proof.ts";
import { firstUseOfProof } from "../lib/dpop/replay.ts";

const { values } = parseArgs({
  options: {
    scale: { type: "boolean", default: false },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "16" },
    only: { type: "string" },
  },
});
if (values.only !== undefined && values.only !== "permission-use" && values.only !== "lists") {
  throw new Error(`--only knows two parts: permission-use, lists (not "${values.only}")`);
}
const ONLY_PERMISSION_USE = values.only === "permission-use";
const SCALE = values.scale;
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const USERS = 100_000;
const KEYS = 10_000;
/** Users signed in to Keyward whom the single sign-on rows sign in to the bench app, in turn. */
const SSO_USERS = 200;
const MANY_TOKENS = SCALE ? 1_000_000 : 100_000;
const EVENTS = SCALE ? 1_000_000 : 100_000;
const SERVER =
  process.env.TEST_DATABASE_URL ||
  process.env.DATABASE_URL ||
  "postgresql://postgres@127.0.0.1:5432/postgres";

type Row = {
  group: string;
  scenario: string;
  value: string;
  baseline?: string;
  ratio?: string;
  note?: string;
};
const rows: Row[] = [];
const raw: Record<string, unknown> = {};
const log = (message: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);

function row(
  group: string,
  scenario: string,
  value: string,
  baseline?: string,
  ratio?: number,
  note?: string,
): void {
  rows.push({
    group,
    scenario,
    value,
    baseline,
    ratio: ratio === undefined ? undefined : `${fmt(ratio, 2)}×`,
    note,
  });
}
const perSec = (latency: Latency) => `${fmt(latency.perSecond, 0)}/s`;
const lat = (latency: { p50: number; p99: number }) =>
  `p50 ${fmt(latency.p50, 2)} ms, p99 ${fmt(latency.p99, 2)} ms`;

/** A CPU-bound baseline: how many times per second `op` runs in a tight loop. */
function rate(count: number, op: (i: number) => void): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < count; i++) op(i);
  return count / (Number(process.hrtime.bigint() - start) / 1e9);
}

async function inProcess(keys: string[]): Promise<void> {
  log("in-process verification: SHA-256, bare SELECT, Keyward cold and warm, Better Auth");
  const sha = rate(500_000, (i) => sha256Hex(keys[i % keys.length] as string));
  const pool = dbPool();
  const hashes = keys.map((key) => sha256Hex(key));
  const select = (i: number) =>
    pool.query(`SELECT "tokenId", "expiresAt" FROM "ApiTokenSecret" WHERE hash = $1`, [
      hashes[i % hashes.length],
    ]);
  const selectSeq = await measure(3_000, 1, select);
  const selectConc = await measure(10_000, 16, select);

  const half = keys.length / 2;
  clearCredentialCache();
  const coldSeq = await measure(half, 1, (i) => verifyPersonalToken(keys[i] as string));
  clearCredentialCache();
  const coldConc = await measure(half, 16, (i) => verifyPersonalToken(keys[half + i] as string));
  for (const key of keys) await verifyPersonalToken(key); // every key cached
  const warmSeq = await measure(100_000, 1, (i) =>
    verifyPersonalToken(keys[(i * 7919) % keys.length] as string),
  );
  const warmConc = await measure(200_000, 16, (i) =>
    verifyPersonalToken(keys[(i * 7919) % keys.length] as string),
  );

  log(`Better Auth: creating ${KEYS} keys through its API`);
  const peer = await betterAuthPeer(process.env.DATABASE_URL as string, KEYS);
  const peerHalf = peer.keys.length / 2;
  const peerColdSeq = await measure(Math.min(3_000, peerHalf), 1, (i) => peer.verify(peer.keys[i] as string));
  const peerColdConc = await measure(peerHalf, 16, (i) => peer.verify(peer.keys[peerHalf + i] as string));
  const peerWarmConc = await measure(5_000, 16, (i) =>
    peer.verify(peer.keys[i % peer.keys.length] as string),
  );
  await peer.close();

  const g = "2. verification in process (10,000 keys)";
  row(g, "SHA-256 of a key (limit of warm)", `${fmt(sha, 0)}/s`);
  row(
    g,
    "bare indexed SELECT by hash, sequential (limit of cold)",
    perSec(selectSeq),
    undefined,
    undefined,
    lat(selectSeq),
  );
  row(
    g,
    "bare indexed SELECT by hash, 16 concurrent",
    perSec(selectConc),
    undefined,
    undefined,
    lat(selectConc),
  );
  row(
    g,
    "Keyward cold, sequential",
    perSec(coldSeq),
    "bare SELECT seq",
    coldSeq.perSecond / selectSeq.perSecond,
    lat(coldSeq),
  );
  row(
    g,
    "Keyward cold, 16 concurrent",
    perSec(coldConc),
    "bare SELECT 16",
    coldConc.perSecond / selectConc.perSecond,
    lat(coldConc),
  );
  row(g, "Keyward warm, sequential", perSec(warmSeq), "SHA-256", warmSeq.perSecond / sha, lat(warmSeq));
  row(g, "Keyward warm, 16 concurrent", perSec(warmConc), "SHA-256", warmConc.perSecond / sha, lat(warmConc));
  row(
    g,
    "Better Auth verifyApiKey, sequential",
    perSec(peerColdSeq),
    "bare SELECT seq",
    peerColdSeq.perSecond / selectSeq.perSecond,
    lat(peerColdSeq),
  );
  row(
    g,
    "Better Auth verifyApiKey, 16 concurrent",
    perSec(peerColdConc),
    "bare SELECT 16",
    peerColdConc.perSecond / selectConc.perSecond,
    lat(peerColdConc),
  );
  row(
    g,
    "Better Auth, 16 concurrent, second pass (it has no cache)",
    perSec(peerWarmConc),
    "bare SELECT 16",
    peerWarmConc.perSecond / selectConc.perSecond,
    lat(peerWarmConc),
  );
  row(
    g,
    "Keyward cold ÷ Better Auth, 16 concurrent",
    `${fmt(coldConc.perSecond / peerColdConc.perSecond, 1)}×`,
  );
  raw.inProcess = {
    sha,
    selectSeq,
    selectConc,
    coldSeq,
    coldConc,
    warmSeq,
    warmConc,
    peerColdSeq,
    peerColdConc,
    peerWarmConc,
  };
}

async function resourceServerInProcess(): Promise<void> {
  log("a resource server verifying client JWTs in process with jose, beside a bare ES256 verify");
  const { jose, bare } = await joseVerification();
  const g = "8. a resource server verifying Keyward's JWTs";
  row(g, "bare ES256 signature verify (node:crypto)", `${fmt(bare, 0)}/s`);
  row(g, "jose jwtVerify (issuer, audience, typ at+jwt)", `${fmt(jose, 0)}/s`, "bare ES256", jose / bare);
  // Issue 16: what a DPoP-bound request adds on Keyward's side, in process: a proof's check (jose,
  // WebCrypto) and its replay lookup, each proof fresh, as every request's is.
  const maker = await proofMaker();
  const url = "https://keyward.example.test/api/v1/me";
  const token = "t".repeat(600);
  const proofs = Array.from({ length: 5_000 }, () => maker.proof("GET", url, { ath: ath(token) }));
  const check = (proof: string) =>
    verifyDpopProof({ header: proof, method: "GET", uri: url, accessToken: token });
  for (const proof of proofs.slice(0, 500)) await check(proof);
  let start = process.hrtime.bigint();
  for (const proof of proofs) await check(proof);
  const proofChecks = proofs.length / (Number(process.hrtime.bigint() - start) / 1e9);
  start = process.hrtime.bigint();
  for (let i = 0; i < proofs.length; i++) await firstUseOfProof("bench-key", `${i}-${Date.now()}`);
  const replayLookups = proofs.length / (Number(process.hrtime.bigint() - start) / 1e9);
  row(
    g,
    "DPoP proof check (jose, a fresh proof each)",
    `${fmt(proofChecks, 0)}/s`,
    "bare ES256",
    proofChecks / bare,
  );
  row(g, "DPoP replay lookup (memory)", `${fmt(replayLookups, 0)}/s`, "bare ES256", replayLookups / bare);
  raw.resourceServer = { jose, bare, proofChecks, replayLookups };
}

async function coldLatency(keys: string[], count = 1_000): Promise<Latency> {
  clearCredentialCache();
  return measure(Math.min(count, keys.length), 1, (i) => verifyPersonalToken(keys[i] as string));
}

async function listScenarios(): Promise<void> {
  log(`users list at ${USERS} users; audit log at ${EVENTS} events`);
  const adminRole = await builtInRoleId(db, "admin");
  const actorId = benchUserId(2);
  await db.roleAssignment.upsert({
    where: { userId_roleId: { userId: actorId, roleId: adminRole } },
    create: { userId: actorId, roleId: adminRole },
    update: {},
  });
  const session = await db.session.create({
    data: {
      id: "ses_bench",
      userId: actorId,
      expiresAt: new Date(Date.now() + 3_600_000),
      authTime: new Date(),
      amr: ["pwd"],
    },
  });
  const actor = await resolveSession(session.id);
  if (!actor) throw new Error("no bench principal");
  const first = await listUsers(actor, listUsersSchema.parse({}));
  const events = await listAuditEvents(actor, listAuditEventsSchema.parse({}));
  const scenarios: [string, () => Promise<unknown>][] = [
    ["users: first page", () => listUsers(actor, listUsersSchema.parse({}))],
    [
      "users: next page (cursor)",
      () => listUsers(actor, listUsersSchema.parse({ after: first.nextCursor ?? undefined })),
    ],
    ["users: search 'user4242'", () => listUsers(actor, listUsersSchema.parse({ q: "user4242" }))],
    // 1,111 matches, all far along the email order: what an index walk filtering until it has a
    // page's worth takes longest on (bench/users-list.ts runs these on stale and absent statistics).
    ["users: search 'user42'", () => listUsers(actor, listUsersSchema.parse({ q: "user42" }))],
    ["users: filter status=disabled", () => listUsers(actor, listUsersSchema.parse({ status: "disabled" }))],
    ["audit: first page", () => listAuditEvents(actor, listAuditEventsSchema.parse({}))],
    [
      "audit: next page (cursor)",
      () => listAuditEvents(actor, listAuditEventsSchema.parse({ after: events.nextCursor ?? undefined })),
    ],
    [
      "audit: filter action",
      () => listAuditEvents(actor, listAuditEventsSchema.parse({ action: "role.updated" })),
    ],
    [
      "audit: filter actor",
      () => listAuditEvents(actor, listAuditEventsSchema.parse({ actor: benchUserId(62) })),
    ],
  ];
  const g = `3. lists at ${USERS.toLocaleString("en-US")} users / ${EVENTS.toLocaleString("en-US")} events`;
  const pk = await measure(300, 1, () => db.user.findUnique({ where: { id: benchUserId(50_000) } }));
  row(g, "baseline: user by primary key", lat(pk));
  raw.lists = { pk };
  for (const [name, run] of scenarios) {
    for (let i = 0; i < 10; i++) await run();
    const result = await measure(200, 1, run);
    // The shape of each statement's plan (EXPLAIN of exactly what was sent), beside its timing.
    const plan = await planShapes(dbPool(), run, name.startsWith("audit") ? "AuditEvent" : "User");
    row(g, name, lat(result), "primary key p50", result.p50 / pk.p50, `plan: ${plan}`);
    (raw.lists as Record<string, unknown>)[name] = { ...result, plan };
  }
}

type Cannon = { rps: number; p50: number; p99: number; requests: number; non2xx: number; errors: number };

async function cannon(options: autocannon.Options): Promise<Cannon> {
  const result = await autocannon({ connections: CONNECTIONS, duration: DURATION, ...options });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

function rotating(values: string[], apply: (request: autocannon.Request, value: string) => void) {
  let next = 0;
  return (request: autocannon.Request) => {
    apply(request, values[next++ % values.length] as string);
    return request;
  };
}

/**
 * The floor of the HTTP rows: what the same server stack (scripts/server.js's door, Next's router,
 * the route wrapper, a JSON response) costs with no authentication. It is the liveness probe, a
 * production route that reads nothing (no session, no database) and answers a small JSON object;
 * the production build serves no route of the benchmark's own. Its body is ~150 bytes shorter
 * than GET /api/v1/me's, which on loopback is far inside the run-to-run spread.
 */
const FLOOR = (base: string) => `${base}/api/health`;

/** The production server on a free port over the bench database (built first if the source changed). */
async function benchServer() {
  const port = 3900 + Math.floor(Math.random() * 90);
  const base = `http://127.0.0.1:${port}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-bench-"));
  const server = startServer(
    {
      ...process.env,
      PORT: String(port),
      KEYWARD_URL: base,
      KEYWARD_DATA_DIR: dataDir,
      KEYWARD_ENV: "production",
    },
    path.join(dataDir, "server.log"),
  );
  const stop = async () => {
    await server.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    log("building (if the source changed) and starting the production server");
    await waitForReady(base, server, 10 * 60_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { base, dataDir, pid: webServerPid(server.child.pid as number), stop };
}

const bearer = (request: autocannon.Request, token: string) => {
  request.headers = { ...request.headers, authorization: `Bearer ${token}` };
};

/**
 * GET /api/v1/me with personal tokens after a warm-up (every token seen within the last minute:
 * cached, last use noted), and the web server's CPU seconds it took.
 */
async function personalTokenRow(base: string, pid: number, loadKeys: string[]) {
  await cannon({
    url: `${base}/api/v1/me`,
    amount: loadKeys.length * 2,
    requests: [{ setupRequest: rotating(loadKeys, bearer) }],
  });
  const cpuBefore = cpuSeconds(pid);
  const pat = await cannon({
    url: `${base}/api/v1/me`,
    requests: [{ setupRequest: rotating(loadKeys, bearer) }],
  });
  return { pat, cpu: cpuSeconds(pid) - cpuBefore };
}

/** The ids seedTokens gave the tokens whose secrets are `loadKeys` (the first ones seeded). */
const loadTokenIds = (loadKeys: string[]) =>
  loadKeys.map((_, i) => `tok_bench${String(i).padStart(10, "0")}`);

/**
 * Issue 17: recording per-permission use must cost < 5 % of HTTP verification throughput. The
 * recording is in process (a Map increment per authorized request, an upsert a minute), so its
 * cost is measured in process over the tokens the HTTP row rotates over, and set beside the web
 * server's CPU per token-verified request in the same run: at saturation, the throughput it takes
 * away is that share. The flush is shared among the requests of its interval, one row per token
 * used in it.
 */
async function permissionUseRows(loadKeys: string[], pat: Cannon, patCpu: number): Promise<void> {
  log("per-permission use: notePermissionUse and its flush, in process");
  const perWindow = Math.ceil((pat.rps * PERMISSION_USE_FLUSH_MS) / 1000);
  const cost = await permissionUseCost(loadTokenIds(loadKeys), perWindow);
  const requestNs = (patCpu / pat.requests) * 1e9;
  const perRequest = (flushMs: number) => (flushMs * 1e6) / perWindow;
  const share = (value: number) => `${fmt((value / requestNs) * 100, 2)} %`;
  const g = "10. per-permission use (issue 17: < 5 % of HTTP verification asked)";
  row(
    g,
    "baseline: web server CPU per GET /api/v1/me (personal token)",
    `${fmt(requestNs / 1000, 1)} µs`,
    undefined,
    undefined,
    `${fmt(patCpu, 2)} CPU s for ${pat.requests.toLocaleString("en-US")} requests (${fmt(pat.rps, 0)}/s)`,
  );
  row(
    g,
    "notePermissionUse, key pending",
    `${fmt(cost.noteNs, 0)} ns`,
    undefined,
    undefined,
    share(cost.noteNs),
  );
  row(
    g,
    "notePermissionUse, key new to the batch",
    `${fmt(cost.firstNoteNs, 0)} ns`,
    undefined,
    undefined,
    share(cost.firstNoteNs),
  );
  const flushNote = (flushMs: number) =>
    `${fmt(perRequest(flushMs) / 1000, 1)} µs per request of its ${PERMISSION_USE_FLUSH_MS / 1000} s (${perWindow.toLocaleString("en-US")}): ${share(perRequest(flushMs))}, PostgreSQL's time`;
  row(
    g,
    `flush of ${cost.keys.toLocaleString("en-US")} keys, the day's first (inserts)`,
    `${fmt(cost.insertFlushMs, 1)} ms`,
    undefined,
    undefined,
    flushNote(cost.insertFlushMs),
  );
  row(
    g,
    `flush of ${cost.keys.toLocaleString("en-US")} keys, later that day (updates)`,
    `${fmt(cost.updateFlushMs, 1)} ms`,
    undefined,
    undefined,
    flushNote(cost.updateFlushMs),
  );
  const webServer = cost.firstNoteNs + perRequest(cost.flushCpuMs);
  row(
    g,
    "on the web server per request: a new key's note + its share of the flush's own CPU",
    `${fmt(webServer, 0)} ns`,
    undefined,
    undefined,
    `${share(webServer)} (the flush's own CPU ${fmt(cost.flushCpuMs, 1)} ms)`,
  );
  raw.permissionUse = { ...cost, perWindow, requestNs, patRps: pat.rps, patCpu, patRequests: pat.requests };
}

/** `--only permission-use`: a small seed, the personal-token HTTP row and the rows beside it. */
async function permissionUseOnly(): Promise<void> {
  log("seeding 20,000 users and 8,000 tokens");
  await seedUsers(20_000);
  const owners = await makeOwners(1_000);
  const loadKeys = await seedTokens(0, 8_000, owners, 8_000);
  await db.$executeRawUnsafe("ANALYZE");
  await stopChangeFeed();
  const { base, pid, stop } = await benchServer();
  try {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    log("HTTP: personal token");
    const { pat, cpu } = await personalTokenRow(base, pid, loadKeys);
    row(
      "1. verification over HTTP",
      `GET /api/v1/me, personal token (${loadKeys.length.toLocaleString("en-US")} tokens)`,
      `${fmt(pat.rps, 0)}/s`,
      undefined,
      undefined,
      `${lat(pat)}; non-2xx ${pat.non2xx}`,
    );
    await permissionUseRows(loadKeys, pat, cpu);
  } finally {
    await stop();
  }
}

async function overHttp(
  keys: string[],
  clients: { clientId: string; secret: string }[],
  loadKeys: string[],
  apiClients: { clientId: string; secret: string }[] = [],
) {
  const { base, dataDir, pid, stop } = await benchServer();
  try {
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const idle = memoryMb(pid);
    const memory: Record<string, number> = { idle: idle.rss };
    const g = "1. verification over HTTP";
    const warm = (url: string, headers: Record<string, string> = {}) => cannon({ url, duration: 2, headers });
    await warm(FLOOR(base));

    log("HTTP: floor, personal token, client JWT");
    const floor = await cannon({ url: FLOOR(base) });
    // Steady state of a busy API: every token seen within the last minute (cached, last use noted).
    const { pat, cpu: patCpu } = await personalTokenRow(base, pid, loadKeys);
    memory.afterWarmup = memoryMb(pid).rss;
    const jwts: string[] = [];
    for (const client of clients) {
      const response = await fetch(`${base}/api/oauth/token`, {
        method: "POST",
        headers: {
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString("base64")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "grant_type=client_credentials",
      });
      jwts.push(((await response.json()) as { access_token: string }).access_token);
    }
    await cannon({
      url: `${base}/api/v1/me`,
      duration: 3,
      requests: [{ setupRequest: rotating(jwts, bearer) }],
    });
    const jwt = await cannon({
      url: `${base}/api/v1/me`,
      requests: [{ setupRequest: rotating(jwts, bearer) }],
    });
    memory.afterTokens = memoryMb(pid).rss;
    const floorLine = `${fmt(floor.rps, 0)}/s`;
    row(
      g,
      "floor: GET /api/health, no authentication",
      `${fmt(floor.rps, 0)}/s`,
      undefined,
      undefined,
      lat(floor),
    );
    row(
      g,
      `GET /api/v1/me, personal token (${loadKeys.length.toLocaleString("en-US")} tokens)`,
      `${fmt(pat.rps, 0)}/s`,
      floorLine,
      pat.rps / floor.rps,
      `${lat(pat)}; non-2xx ${pat.non2xx}`,
    );
    await permissionUseRows(loadKeys, pat, patCpu);
    row(
      g,
      `GET /api/v1/me, client JWT (${jwts.length} clients)`,
      `${fmt(jwt.rps, 0)}/s`,
      floorLine,
      jwt.rps / floor.rps,
      `${lat(jwt)}; non-2xx ${jwt.non2xx}`,
    );

    // Issue 16: a DPoP-bound client token, each request with a fresh proof (one signature check
    // and a replay lookup more than a bearer JWT), as a ratio to the bearer JWT row just above.
    log("HTTP: a DPoP-bound client token, a fresh proof per request");
    const maker = await proofMaker();
    // As many clients as the bearer row rotates over: each credential has its own request limit.
    const bound = await Promise.all(
      clients.slice(0, jwts.length).map((client) => boundClientToken(base, base, client, maker)),
    );
    const meUrl = `${base}/api/v1/me`;
    const aths = bound.map(ath);
    // Made before the window: one per request it could send (a shortfall would show as 401s).
    const signed = Array.from({ length: Math.ceil((DURATION + 1) * 4_000) }, (_, i) =>
      JSON.stringify([
        bound[i % bound.length],
        maker.proof("GET", meUrl, { ath: aths[i % bound.length] ?? "" }),
      ]),
    );
    const dpopRequest = (request: autocannon.Request, entry: string) => {
      const [token, proof] = JSON.parse(entry) as [string, string];
      request.headers = { ...request.headers, authorization: `DPoP ${token}`, dpop: proof };
    };
    const warmProofs = signed.splice(0, 3_000);
    await cannon({
      url: meUrl,
      duration: 1,
      requests: [{ setupRequest: rotating(warmProofs, dpopRequest) }],
    });
    const dpop = await cannon({ url: meUrl, requests: [{ setupRequest: rotating(signed, dpopRequest) }] });
    row(
      g,
      "GET /api/v1/me, DPoP-bound client JWT, a fresh proof each",
      `${fmt(dpop.rps, 0)}/s`,
      `client JWT ${fmt(jwt.rps, 0)}/s`,
      dpop.rps / jwt.rps,
      `${lat(dpop)}; non-2xx ${dpop.non2xx}; ${bound.length} clients, ${dpop.requests.toLocaleString("en-US")} of ${signed.length.toLocaleString("en-US")} proofs`,
    );

    // Issue 14 §5: an API's servers asking about personal tokens (ratio to the floor, ≥ 0.7× asked).
    log("HTTP: introspection by a resource-server credential");
    const rs = await seedResourceServer(BUILT_IN_API_ID);
    const rsBasic = `Basic ${Buffer.from(`${rs.clientId}:${rs.secret}`).toString("base64")}`;
    const introspectionForm = (request: autocannon.Request, token: string) => {
      request.method = "POST";
      request.headers = {
        ...request.headers,
        authorization: rsBasic,
        "content-type": "application/x-www-form-urlencoded",
      };
      request.body = `token=${token}`;
    };
    const introspectUrl = `${base}/api/oauth/introspect`;
    await cannon({
      url: introspectUrl,
      duration: 3,
      requests: [{ setupRequest: rotating(loadKeys, introspectionForm) }],
    });
    const introspected = await cannon({
      url: introspectUrl,
      requests: [{ setupRequest: rotating(loadKeys, introspectionForm) }],
    });
    row(
      g,
      `POST /api/oauth/introspect, resource-server credential (${loadKeys.length.toLocaleString("en-US")} tokens)`,
      `${fmt(introspected.rps, 0)}/s`,
      floorLine,
      introspected.rps / floor.rps,
      `${lat(introspected)}; non-2xx ${introspected.non2xx}`,
    );

    log("HTTP: client credentials issuance");
    const basics = clients.map((c) => `Basic ${Buffer.from(`${c.clientId}:${c.secret}`).toString("base64")}`);
    const form = (request: autocannon.Request, auth: string) => {
      request.method = "POST";
      request.headers = {
        ...request.headers,
        authorization: auth,
        "content-type": "application/x-www-form-urlencoded",
      };
      request.body = "grant_type=client_credentials";
    };
    const cpuBefore = cpuSeconds(pid);
    const issue = await cannon({
      url: `${base}/api/oauth/token`,
      requests: [{ setupRequest: rotating(basics, form) }],
    });
    const issueCpu = cpuSeconds(pid) - cpuBefore;
    memory.afterIssuance = memoryMb(pid).rss;
    const perCore = issue.requests / issueCpu;
    const g4 = "4. client credentials issuance";
    row(
      g4,
      "POST /api/oauth/token",
      `${fmt(issue.rps, 0)}/s`,
      floorLine,
      issue.rps / floor.rps,
      `${lat(issue)}; non-2xx ${issue.non2xx}`,
    );
    row(
      g4,
      "grants per server CPU second (per core)",
      `${fmt(perCore, 0)}/s`,
      "Keycloak 120/s per vCPU",
      perCore / 120,
    );
    if (apiClients.length > 0) {
      // Issue 14: issuance for a registered API other than Keyward's own, named by resource.
      const apiBasics = apiClients.map(
        (c) => `Basic ${Buffer.from(`${c.clientId}:${c.secret}`).toString("base64")}`,
      );
      const apiForm = (request: autocannon.Request, auth: string) => {
        form(request, auth);
        request.body = `grant_type=client_credentials&resource=${encodeURIComponent(BENCH_API_IDENTIFIER)}`;
      };
      // As the clients above were (their first token was fetched for the JWT rows): one issuance
      // each first, so both rows measure a steady state, not the first issuance's audit event of
      // the hour and cold caches.
      for (const auth of apiBasics) {
        await fetch(`${base}/api/oauth/token`, {
          method: "POST",
          headers: { authorization: auth, "content-type": "application/x-www-form-urlencoded" },
          body: `grant_type=client_credentials&resource=${encodeURIComponent(BENCH_API_IDENTIFIER)}`,
        });
      }
      const perApi = await cannon({
        url: `${base}/api/oauth/token`,
        requests: [{ setupRequest: rotating(apiBasics, apiForm) }],
      });
      row(
        g4,
        "POST /api/oauth/token, another registered API (resource=)",
        `${fmt(perApi.rps, 0)}/s`,
        floorLine,
        perApi.rps / floor.rps,
        `${lat(perApi)}; non-2xx ${perApi.non2xx}`,
      );
    }

    await singleSignOn(base, pid, path.join(dataDir, "server.log"), floor.rps);
    memory.afterSso = memoryMb(pid).rss;

    log("HTTP: password sign-ins");
    const emails: string[] = [];
    for (let i = 3; emails.length < 20_000 && i < USERS; i++) {
      if (i % 20 !== 0 && i % 50 !== 1) emails.push(benchUserEmail(i));
    }
    const signIn = (request: autocannon.Request, email: string) => {
      request.method = "POST";
      request.headers = { ...request.headers, "content-type": "application/json" };
      request.body = JSON.stringify({ email, password: BENCH_PASSWORD });
    };
    const hashTimes = await measure(20, 1, () => hashPassword(BENCH_PASSWORD));
    const signCpuBefore = cpuSeconds(pid);
    const signIns = await cannon({
      url: `${base}/api/auth/sign-in/password`,
      connections: 4,
      requests: [{ setupRequest: rotating(emails, signIn) }],
    });
    const signCpu = cpuSeconds(pid) - signCpuBefore;
    memory.afterSignIns = memoryMb(pid).rss;
    const signPerCore = signIns.requests / signCpu;
    const g5 = "5. password sign-ins (argon2id m=19 MiB, t=2, p=1)";
    row(
      g5,
      "one argon2id hash (the limit, per core)",
      `${fmt(hashTimes.perSecond, 1)}/s`,
      undefined,
      undefined,
      lat(hashTimes),
    );
    row(
      g5,
      "POST /api/auth/sign-in/password",
      `${fmt(signIns.rps, 1)}/s`,
      undefined,
      undefined,
      `${lat(signIns)}; non-2xx ${signIns.non2xx}`,
    );
    row(
      g5,
      "sign-ins per server CPU second (per core)",
      `${fmt(signPerCore, 1)}/s`,
      "Keycloak 15/s per vCPU",
      signPerCore / 15,
    );
    row(g5, "sign-ins per core ÷ hashes per core", `${fmt(signPerCore / hashTimes.perSecond, 2)}×`);

    log("revocation latency under load");
    const revocation = await revocationUnderLoad(base, keys, loadKeys, bearer);
    const g7 = "7. revocation under load";
    row(
      g7,
      "revoked through the API: requests answered 200 after the revoke returned",
      String(revocation.staleAfterApi),
      undefined,
      undefined,
      `${revocation.trials} trials`,
    );
    row(g7, "revoke (API) to first 401", lat(revocation.api));
    row(g7, "revoked by another instance (NOTIFY): to first 401", lat(revocation.notify));

    const peak = memoryMb(pid);
    const g6 = "6. memory (web server process)";
    row(g6, "RSS idle", `${fmt(idle.rss, 0)} MB`, "Keycloak 1,250 MB", idle.rss / 1250);
    row(g6, "RSS peak (VmHWM)", `${fmt(peak.peak, 0)} MB`, "Keycloak 1,250 MB", peak.peak / 1250);
    memory.afterRevocation = peak.rss;
    row(
      g6,
      "RSS after each phase",
      Object.entries(memory)
        .map(([phase, mb]) => `${phase} ${fmt(mb, 0)}`)
        .join(", ") + " MB",
    );
    raw.http = {
      floor,
      pat,
      jwt,
      issue,
      issueCpu,
      perCore,
      signIns,
      signCpu,
      signPerCore,
      hashTimes,
      revocation,
      idle,
      peak,
      memory,
    };
  } finally {
    await stop();
  }
}

/**
 * Issue 15: the OpenID provider's flows over HTTP (bench/lib/sso.ts). Their ratios are to the floor
 * route measured through the same driver and loops (a node:http client, not autocannon: a flow
 * follows redirects with a cookie jar and a refresh chain feeds each response into the next
 * request), whose own ratio to autocannon's floor is printed first.
 */
async function singleSignOn(base: string, pid: number, serverLog: string, floorRps: number) {
  // Just before its rows, so that no build or earlier phase can outlast the sessions' idle limit.
  const started = performance.now();
  log(`single sign-on: registering the bench app, signing in ${SSO_USERS} users`);
  const setup = await seedSso(SSO_USERS);
  const result = await measureSso({
    base,
    pid,
    setup,
    duration: DURATION,
    connections: CONNECTIONS,
    serverLog,
    log,
  });
  const { floor, flow, exchangeInFlow, ssoAuthorize, exchange, refresh } = result;
  const g = `9. single sign-on (one first-party web app, ${setup.users.length} users signed in to Keyward, ${CONNECTIONS} loops)`;
  const driverFloor = `${fmt(floor.perSecond, 0)}/s driver floor`;
  const perFlowNote = (f: Figure, what: string) =>
    `${lat(f)} per ${what}; errors ${f.errors}${f.firstErrors.length ? ` (${f.firstErrors[0]})` : ""}`;
  row(
    g,
    "floor: GET /api/health through this driver (node:http)",
    `${fmt(floor.perSecond, 0)}/s`,
    `${fmt(floorRps, 0)}/s`,
    floor.perSecond / floorRps,
    lat(floor),
  );
  row(
    g,
    "full code flow: authorize, interaction and resume ×2, token",
    `${fmt(flow.perSecond, 1)}/s`,
    undefined,
    undefined,
    perFlowNote(flow, "flow"),
  );
  row(
    g,
    `  its requests (${fmt(flow.hopsPerFlow + 1, 1)} per flow)`,
    `${fmt(flow.requestsPerSecond, 0)}/s`,
    driverFloor,
    flow.requestsPerSecond / floor.perSecond,
  );
  row(
    g,
    "  server CPU per flow",
    `${fmt((flow.cpu / flow.count) * 1000, 2)} ms`,
    undefined,
    undefined,
    `${fmt(flow.perCpuSecond, 0)} flows per server CPU second`,
  );
  row(
    g,
    "  its code exchange (the flow's last request, timed apart)",
    lat(exchangeInFlow),
    undefined,
    undefined,
    `${fmt(exchangeInFlow.share * 100, 0)} % of the flow's time`,
  );
  row(
    g,
    "authorize with the provider session (one hop to the app)",
    `${fmt(ssoAuthorize.perSecond, 0)}/s`,
    driverFloor,
    ssoAuthorize.perSecond / floor.perSecond,
    perFlowNote(ssoAuthorize, "request"),
  );
  row(
    g,
    `code exchange alone (${exchange.count.toLocaleString("en-US")} codes made just before)`,
    `${fmt(exchange.perSecond, 0)}/s`,
    driverFloor,
    exchange.perSecond / floor.perSecond,
    `${perFlowNote(exchange, "exchange")}; window ${fmt(exchange.seconds, 1)} s`,
  );
  row(g, "  code exchanges per server CPU second (per core)", `${fmt(exchange.perCpuSecond, 0)}/s`);
  row(
    g,
    "refresh grant, one rotating chain per loop",
    `${fmt(refresh.perSecond, 0)}/s`,
    driverFloor,
    refresh.perSecond / floor.perSecond,
    `${perFlowNote(refresh, "refresh")}; Keycloak at ${CORES} vCPU would be ${120 * CORES}/s (published, not same-run)`,
  );
  row(
    g,
    "  refresh grants per server CPU second (per core)",
    `${fmt(refresh.perCpuSecond, 0)}/s`,
    "Keycloak 120/s per vCPU, published, not same-run",
    refresh.perCpuSecond / 120,
  );
  const { warnings } = result;
  if (warnings.refused + warnings.failed > 0) {
    log(
      `the server logged ${warnings.refused} refusals and ${warnings.failed} failures during single sign-on:`,
    );
    for (const line of warnings.lines) log(`  ${line.slice(0, 240)}`);
  }
  raw.sso = result;
  const seconds = (performance.now() - started) / 1000;
  (raw.sso as Record<string, unknown>).secondsWithSetup = seconds;
  log(`single sign-on took ${fmt(seconds, 0)} s, its setup included`);
}

/**
 * Under PAT load on other tokens: a token revoked through the API must be refused on the very next
 * request; one revoked by another instance (this process, through its own transaction and NOTIFY)
 * as soon as the notice arrives.
 */
async function revocationUnderLoad(
  base: string,
  keys: string[],
  loadKeys: string[],
  bearer: (request: autocannon.Request, token: string) => void,
) {
  let instance: autocannon.Instance | undefined;
  const load = new Promise<void>((resolve) => {
    instance = autocannon(
      {
        url: `${base}/api/v1/me`,
        connections: 8,
        duration: 3600,
        requests: [{ setupRequest: rotating(loadKeys, bearer) }],
      },
      () => resolve(),
    );
  });
  const me = (token: string) => fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
  const idOf = (token: string) => `tok_bench${String(keys.indexOf(token)).padStart(10, "0")}`;
  const api: number[] = [];
  const notify: number[] = [];
  let staleAfterApi = 0;
  const trials = 20;
  const spare = keys.slice(keys.length - 2 * trials);
  try {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (let t = 0; t < trials; t++) {
      const token = spare[t] as string;
      await me(token);
      await me(token); // cached now
      const start = performance.now();
      const revoked = await fetch(`${base}/api/v1/tokens/${idOf(token)}`, {
        method: "DELETE",
        headers: { authorization: `Bearer ${token}` },
      });
      if (revoked.status !== 204) throw new Error(`revoke answered ${revoked.status}`);
      for (;;) {
        const status = (await me(token)).status;
        if (status === 401) break;
        staleAfterApi++;
      }
      api.push(performance.now() - start);
    }
    for (let t = trials; t < 2 * trials; t++) {
      const token = spare[t] as string;
      await me(token);
      await me(token);
      const principal = await verifyPersonalToken(token);
      if (!principal) throw new Error("spare token did not verify");
      const start = performance.now();
      await revokeToken({ actor: principal, tokenId: principal.tokenId, context: SYSTEM_CONTEXT });
      while ((await me(token)).status !== 401) await new Promise((resolve) => setTimeout(resolve, 1));
      notify.push(performance.now() - start);
    }
  } finally {
    instance?.stop();
    await load;
  }
  const summary = (samples: number[]) => {
    const sorted = [...samples].sort((a, b) => a - b);
    return { p50: sorted[Math.floor(sorted.length / 2)] ?? NaN, p99: sorted.at(-1) ?? NaN };
  };
  return { trials, staleAfterApi, api: summary(api), notify: summary(notify) };
}

function print(): void {
  console.log(
    `\nKeyward benchmark · ${os.cpus()[0]?.model ?? "cpu"} × ${CORES} · Node ${process.version}${SCALE ? " · --scale" : ""}`,
  );
  console.log(
    `HTTP: autocannon, ${CONNECTIONS} connections, ${DURATION} s per scenario, on loopback (the load generator shares the machine)\n`,
  );
  let group = "";
  for (const r of rows) {
    if (r.group !== group) {
      group = r.group;
      console.log(`\n${group}`);
    }
    const ratio = r.ratio ? `${r.ratio} of ${r.baseline}` : "";
    console.log(`  ${r.scenario.padEnd(62)} ${r.value.padStart(16)}  ${ratio.padEnd(34)} ${r.note ?? ""}`);
  }
}

/** `--only lists`: group 3's lists (with their plans) on the full seed of users and audit events. */
async function listsOnly(): Promise<void> {
  log(`seeding ${USERS} users and ${EVENTS} audit events`);
  await seedUsers(USERS);
  await seedAuditEvents(EVENTS, await makeOwners(1_000));
  await db.$executeRawUnsafe("ANALYZE");
  await listScenarios();
}

/** The whole benchmark, on the full seed. */
async function everything(): Promise<void> {
  log(`seeding ${USERS} users`);
  await seedUsers(USERS);
  const owners = await makeOwners(1_000);
  const keys = await seedTokens(0, 1_000, owners, 1_000);
  const at1k = await coldLatency(keys);
  keys.push(...(await seedTokens(1_000, KEYS, owners, KEYS - 1_000)));
  await db.$executeRawUnsafe("ANALYZE");
  await inProcess(keys);
  await resourceServerInProcess();

  log(`seeding tokens up to ${MANY_TOKENS}`);
  await seedTokens(KEYS, MANY_TOKENS, owners, 0);
  await db.$executeRawUnsafe("ANALYZE");
  const atMany = await coldLatency(keys.slice(KEYS - 1_000));
  const g3 = "3. scaling of verification (cold, sequential)";
  row(g3, "1,000 stored tokens", lat(at1k));
  row(
    g3,
    `${MANY_TOKENS.toLocaleString("en-US")} stored tokens`,
    lat(atMany),
    "p50 at 1,000",
    atMany.p50 / at1k.p50,
  );
  raw.scaling = { at1k, atMany };

  log(`seeding ${EVENTS} audit events with a valid chain`);
  await seedAuditEvents(EVENTS, owners);
  await db.$executeRawUnsafe("ANALYZE");
  await listScenarios();

  const clients = await seedClients(100, benchUserId(2));
  const apiClients = await seedApiClients(100, benchUserId(2));
  await stopChangeFeed();
  await overHttp(keys, clients, keys.slice(0, 8_000), apiClients);
}

async function main(): Promise<void> {
  const started = Date.now();
  const name = uniqueName("keyward_bench");
  await adminQuery(SERVER, `CREATE DATABASE ${quoteIdent(name)}`);
  process.env.DATABASE_URL = withDatabase(SERVER, name);
  process.env.KEYWARD_SECRET ??= "bench-secret-bench-secret-bench-secret!";
  process.env.KEYWARD_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString("base64");
  resetConfigForTests();
  try {
    await applyMigrations({ url: process.env.DATABASE_URL });
    if (ONLY_PERMISSION_USE) await permissionUseOnly();
    else if (values.only === "lists") await listsOnly();
    else await everything();
  } finally {
    await stopChangeFeed();
    await closeDb();
    await adminQuery(SERVER, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  }
  // The security overview at its own scale (1,000,000 audit events), on its own database, once
  // this run's is gone: bench/overview.ts prints its rows and writes bench/results/overview-latest.json.
  // Then three instances behind HAProxy against one, and a revocation across them (issue 18).
  if (!values.only) {
    for (const part of ["overview", "cluster"]) {
      const run = spawnSync(
        process.execPath,
        ["--import", "tsx", path.join(import.meta.dirname, `${part}.ts`)],
        {
          stdio: "inherit",
          env: process.env,
        },
      );
      if (run.status !== 0) throw new Error(`the ${part} benchmark failed`);
    }
  }
  print();
  const result = {
    date: new Date().toISOString(),
    machine: {
      cpu: os.cpus()[0]?.model,
      cores: CORES,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    options: { scale: SCALE, duration: DURATION, connections: CONNECTIONS, only: values.only ?? null },
    seconds: Math.round((Date.now() - started) / 1000),
    rows,
    raw,
  };
  const dir = path.join(import.meta.dirname, "results");
  fs.mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(result, null, 2);
  // A partial run never stands in for the whole benchmark's latest.json.
  const file = `${result.date.replace(/[:.]/g, "-")}${values.only ? `-${values.only}` : ""}.json`;
  fs.writeFileSync(path.join(dir, file), json);
  if (!values.only) fs.writeFileSync(path.join(dir, "latest.json"), json);
  console.log(`\n${result.seconds} s in all; results in bench/results/${values.only ? file : "latest.json"}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
