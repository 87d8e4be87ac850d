// `npm run bench:overview [-- --runs 200]`: the security overview (issue 17) at 100,000 users,
// 100,000 tokens, 10,000 clients and 1,000,000 audit events, in process, beside a primary-key read
// in the same run, printed as ratios, with each part's timing and the plan shape of the list
// queries. A measurement, never a test. Seeds its own database (about 2 minutes), then measures.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

import { builtInPermissionId } from "../lib/apis/built-in-api.ts";
import { SYSTEM_CONTEXT } from "../lib/auth/principal.ts";
import { createSession, resolveSession } from "../lib/auth/sessions.ts";
import { resetConfigForTests } from "../lib/config/env.ts";
import { stopChangeFeed } from "../lib/credentials/change-feed.ts";
import { closeDb, db, dbPool } from "../lib/db/client.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { mfaFigures } from "../lib/overview/mfa-figures.ts";
import { listRisk, riskCounts, riskPageQuery, visibleRisks } from "../lib/overview/risk-lists.ts";
import { riskWindow } from "../lib/overview/risk-params.ts";
import { clearOverviewFigures } from "../lib/overview/figures-cache.ts";
import { securityOverview } from "../lib/overview/security-overview.ts";
import { builtInRoleId } from "../lib/roles/ensure-built-in-roles.ts";
import { adminQuery, quoteIdent, uniqueName, withDatabase } from "../test/database.ts";
import { benchUserId, makeOwners, seedAuditEvents, seedClients, seedTokens, seedUsers } from "./lib/seed.ts";
import { BENCH_SERVER_URL, fmt, timeSequential } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "200" },
    users: { type: "string", default: "100000" },
    tokens: { type: "string", default: "100000" },
    clients: { type: "string", default: "10000" },
    events: { type: "string", default: "1000000" },
    /** Measure on a database an earlier run seeded and kept (`--keep`), without seeding again. */
    reuse: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const RUNS = Number(values.runs);
const USERS = Number(values.users);
const TOKENS = Number(values.tokens);
const CLIENTS = Number(values.clients);
const EVENTS = Number(values.events);

/**
 * Makes the data look lived-in, so every list has members and the over-scoped query has use rows
 * to read: ages and last uses spread over a year, a third of the tokens also holding users.write
 * and used only for users.read, some factors, expiries and old secrets.
 */
async function ageTheData(): Promise<void> {
  const pool = dbPool();
  await pool.query(`UPDATE "ApiToken" SET "createdAt" = now() - ((abs(hashtext(id)) % 400) || ' days')::interval,
    "lastUsedAt" = CASE WHEN abs(hashtext(id)) % 5 = 0 THEN NULL ELSE now() - ((abs(hashtext(id || 'u')) % 90) || ' days')::interval END,
    "expiresAt" = CASE WHEN abs(hashtext(id)) % 7 = 0 THEN NULL ELSE now() + ((abs(hashtext(id || 'e')) % 60) || ' days')::interval END`);
  await pool.query(
    `UPDATE "ApiTokenSecret" s SET "createdAt" = t."createdAt" FROM "ApiToken" t WHERE t.id = s."tokenId"`,
  );
  await pool.query(
    `INSERT INTO "ApiTokenPermission" ("tokenId", "permissionId") SELECT id, $1 FROM "ApiToken" WHERE abs(hashtext(id)) % 3 = 0 ON CONFLICT DO NOTHING`,
    [builtInPermissionId("users.write")],
  );
  await pool.query(
    `INSERT INTO "ApiTokenPermissionUse" ("tokenId", "permissionId", day, count)
     SELECT t.id, $1, (now() - (d || ' days')::interval)::date, 3 FROM "ApiToken" t, generate_series(0, 40, 4) AS d
     WHERE t."lastUsedAt" > now() - interval '30 days' ON CONFLICT DO NOTHING`,
    [builtInPermissionId("users.read")],
  );
  // Each grant's last day of use, as the batched flush keeps it.
  await pool.query(`UPDATE "ApiTokenPermission" g SET "lastUsedOn" = u.day
    FROM (SELECT "tokenId", "permissionId", max(day) AS day FROM "ApiTokenPermissionUse" GROUP BY 1, 2) u
    WHERE u."tokenId" = g."tokenId" AND u."permissionId" = g."permissionId"`);
  await pool.query(`UPDATE "ApiClient" SET "createdAt" = now() - ((abs(hashtext(id)) % 400) || ' days')::interval,
    "lastUsedAt" = CASE WHEN abs(hashtext(id)) % 4 = 0 THEN NULL ELSE now() - ((abs(hashtext(id || 'u')) % 90) || ' days')::interval END`);
  await pool.query(
    `UPDATE "User" SET "lastSignInAt" = now() - ((abs(hashtext(id)) % 200) || ' days')::interval WHERE status = 'active'`,
  );
  await pool.query(
    `INSERT INTO "TotpFactor" (id, "userId", name, "secretEnc", "activatedAt", "createdAt")
     SELECT 'tf_' || id, id, 'Phone', 'x', now(), now() FROM "User" WHERE abs(hashtext(id)) % 3 = 0`,
  );
  await pool.query(
    `UPDATE "Setting" SET value = to_jsonb((now() - interval '400 days')::text) WHERE key = 'permissionUseSince'`,
  );
  await pool.query("ANALYZE");
}

/** The plan's top nodes, one line: which scans and joins PostgreSQL chose. */
async function planShape(sql: string, params: unknown[]): Promise<string> {
  const { rows } = await dbPool().query<{ "QUERY PLAN": string }>(`EXPLAIN ${sql}`, params);
  return rows
    .map((row) => row["QUERY PLAN"])
    .filter((line) => /Scan|Join|Sort|Aggregate|Limit/.test(line))
    .map((line) =>
      line
        .trim()
        .replace(/^->\s*/, "")
        .replace(/\s+\(cost.*$/, ""),
    )
    .slice(0, 6)
    .join(" > ");
}

async function main(): Promise<void> {
  const name = values.reuse ?? uniqueName("keyward_bench_overview");
  if (!values.reuse) await adminQuery(BENCH_SERVER_URL, `CREATE DATABASE ${quoteIdent(name)}`);
  process.env.DATABASE_URL = withDatabase(BENCH_SERVER_URL, name);
  process.env.KEYWARD_SECRET ??= "bench-secret-bench-secret-bench-secret!";
  process.env.KEYWARD_ENCRYPTION_KEY ??= Buffer.alloc(32, 7).toString("base64");
  resetConfigForTests();
  try {
    const seeding = Date.now();
    const adminId = benchUserId(42);
    if (!values.reuse) {
      await applyMigrations({ url: process.env.DATABASE_URL });
      await seedUsers(USERS);
      const owners = await makeOwners(1_000);
      await seedTokens(0, TOKENS, owners, 0);
      await seedClients(CLIENTS, owners[0] as string);
      await seedAuditEvents(EVENTS, owners);
      await ageTheData();
      await db.roleAssignment.create({ data: { userId: adminId, roleId: await builtInRoleId(db, "admin") } });
    }
    const session = await db.$transaction((tx) =>
      createSession(tx, { userId: adminId, amr: ["pwd"], mfa: false, context: SYSTEM_CONTEXT }),
    );
    const admin = await resolveSession(session.id);
    if (!admin) throw new Error("the admin session did not resolve");
    console.log(
      `Seeded ${USERS.toLocaleString()} users, ${TOKENS.toLocaleString()} tokens, ${CLIENTS.toLocaleString()} clients, ` +
        `${EVENTS.toLocaleString()} audit events in ${fmt((Date.now() - seeding) / 1000, 0)} s.`,
    );

    const pool = dbPool();
    const window = await riskWindow();
    const baseline = await timeSequential(
      () => pool.query(`SELECT id FROM "User" WHERE id = $1`, [adminId]),
      RUNS,
    );
    const rows: [string, { p50: number; p99: number }][] = [
      ["primary-key read (baseline)", baseline],
      // Renders share the counts while fresh (lib/overview/figures-cache.ts): the warm render is what
      // a page view costs; the cold one recomputes them, as the first view after a change does.
      [
        "overview render, warm (as an administrator)",
        await timeSequential(() => securityOverview(admin), RUNS),
      ],
      [
        "overview render, cold (counts recomputed)",
        await timeSequential(
          () => {
            clearOverviewFigures();
            return securityOverview(admin);
          },
          Math.max(20, Math.floor(RUNS / 5)),
        ),
      ],
      [
        "  risk counts, users (4 lists)",
        await timeSequential(
          () =>
            riskCounts(
              visibleRisks(admin).filter((r) => r.startsWith("mfa") || r.startsWith("accounts")),
              window,
            ),
          RUNS,
        ),
      ],
      [
        "  risk counts, tokens (6 lists)",
        await timeSequential(
          () =>
            riskCounts(
              visibleRisks(admin).filter((r) => r.startsWith("tokens")),
              window,
            ),
          RUNS,
        ),
      ],
      [
        "  risk counts, clients (7 lists)",
        await timeSequential(
          () =>
            riskCounts(
              visibleRisks(admin).filter((r) => r.startsWith("clients")),
              window,
            ),
          RUNS,
        ),
      ],
      ["  MFA figures", await timeSequential(() => mfaFigures(), RUNS)],
      [
        "list: tokens.idle, first page",
        await timeSequential(() => listRisk(admin, { risk: "tokens.idle", limit: 50 }), RUNS),
      ],
      [
        "list: tokens.over_scoped, first page",
        await timeSequential(() => listRisk(admin, { risk: "tokens.over_scoped", limit: 50 }), RUNS),
      ],
      [
        "list: accounts.dormant, first page",
        await timeSequential(() => listRisk(admin, { risk: "accounts.dormant", limit: 50 }), RUNS),
      ],
    ];
    console.log(
      `\nSecurity overview, in process, ${RUNS} sequential runs each (ms; ratio = p99 / baseline p99)`,
    );
    console.log(`${"".padEnd(40)} ${"p50".padStart(8)} ${"p99".padStart(8)} ${"ratio".padStart(8)}`);
    const dir = path.join(import.meta.dirname, "results");
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "overview-latest.json"),
      JSON.stringify(
        {
          date: new Date().toISOString(),
          cpu: os.cpus()[0]?.model,
          users: USERS,
          tokens: TOKENS,
          clients: CLIENTS,
          events: EVENTS,
          runs: RUNS,
          rows,
        },
        null,
        2,
      ),
    );
    for (const [label, t] of rows)
      console.log(
        `${label.padEnd(40)} ${fmt(t.p50, 2).padStart(8)} ${fmt(t.p99, 2).padStart(8)} ${fmt(t.p99 / baseline.p99, 0).padStart(7)}×`,
      );
    console.log("\nPlan shapes (EXPLAIN):");
    for (const risk of ["tokens.idle", "tokens.over_scoped", "accounts.dormant", "mfa.missing"] as const) {
      const { sql, values } = riskPageQuery(risk, { limit: 50, window });
      console.log(`  ${risk}: ${await planShape(sql, values)}`);
    }
  } finally {
    await stopChangeFeed();
    await closeDb();
    if (values.keep) console.log(`Kept the database: --reuse ${name}`);
    else await adminQuery(BENCH_SERVER_URL, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  }
}

await main();
