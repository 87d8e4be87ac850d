// Benchmark (not a test): the users list at 100,000 users. Seeds a fresh database with SQL (one
// shared argon2id hash, not 100,000 hash runs), then times search, filters and next-page queries
// through the real domain function, each beside a baseline measured in the same run: a primary-key
// lookup through the same client. Prints p50/p99, the ratio to the baseline and the shape of each
// statement's plan (EXPLAIN of exactly what was sent); never fails on a number.
//
// Three runs over the same rows, autovacuum off so nothing changes the statistics behind our back:
//   stale   the last ANALYZE saw 1,000 users, then 99,000 more were bulk-loaded (a fresh import);
//   fresh   ANALYZE after the load;
//   absent  the User table's column statistics deleted (needs a superuser; skipped otherwise).
// A plan that differs from the fresh run's is flagged: the query still depends on statistics.
//   npm run bench:users [-- --users 100000 --runs 200]
import { parseArgs } from "node:util";

import { resetConfigForTests } from "../lib/config/env.ts";
import { closeDb, db, dbPool } from "../lib/db/client.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { builtInRoleId } from "../lib/roles/ensure-built-in-roles.ts";
import { seedUsers } from "./lib/seed.ts";
import { resolveSession } from "../lib/auth/sessions.ts";
import { listUsers } from "../lib/users/list-users.ts";
import { listUsersSchema } from "../lib/users/user-schemas.ts";
import { adminQuery, quoteIdent, uniqueName, withDatabase } from "../test/database.ts";
import { planShapes } from "./lib/plans.ts";
import { BENCH_SERVER_URL, timeSequential } from "./lib/stats.ts";

const { values } = parseArgs({
  options: { users: { type: "string", default: "100000" }, runs: { type: "string", default: "200" } },
});
const USERS = Number(values.users);
const RUNS = Number(values.runs);
/** Where the stale run's last ANALYZE happened. */
const ANALYZED_AT = Math.min(1_000, USERS);
const server = BENCH_SERVER_URL;
const time = (run: () => Promise<unknown>) => timeSequential(run, RUNS);
const TABLES = ["User", "RoleAssignment", "PasswordCredential", "TotpFactor", "WebAuthnCredential"];

async function seedRange(from: number, to: number, admin: string): Promise<void> {
  await seedUsers(to, from);
  // A role held by about 1 % of users, to filter by.
  await db.$executeRawUnsafe(
    `INSERT INTO "RoleAssignment" ("userId", "roleId") SELECT id, $1 FROM "User" WHERE id BETWEEN $2 AND $3 AND abs(hashtext(id)) % 97 = 0 ON CONFLICT DO NOTHING`,
    admin,
    `usr_bench${String(from).padStart(8, "0")}`,
    `usr_bench${String(to).padStart(8, "0")}`,
  );
}

type Scenario = [string, () => Promise<unknown>];
type Result = { scenario: string; p50: number; p99: number; plan: string };

async function measureAll(scenarios: Scenario[]): Promise<Result[]> {
  const results: Result[] = [];
  for (const [scenario, run] of scenarios) {
    const plan = await planShapes(dbPool(), run);
    results.push({ scenario, plan, ...(await time(run)) });
  }
  return results;
}

function print(title: string, results: Result[], reference?: Result[]): void {
  const base = results[0]?.p50 ?? 1;
  console.log(`\n${title}: ${USERS} users, ${RUNS} runs each (ms; ratio = p50 / primary-key p50)`);
  console.log(
    `${"scenario".padEnd(42)} ${"p50".padStart(8)} ${"p99".padStart(8)} ${"ratio".padStart(7)}  plan`,
  );
  for (const [i, r] of results.entries()) {
    const same = reference
      ? reference[i]?.plan === r.plan
        ? ""
        : "  ← PLAN DIFFERS from the fresh run"
      : "";
    console.log(
      `${r.scenario.padEnd(42)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${(r.p50 / base).toFixed(1).padStart(7)}  ${r.plan}${same}`,
    );
  }
}

async function main(): Promise<void> {
  const name = uniqueName("keyward_bench_users");
  await adminQuery(server, `CREATE DATABASE ${quoteIdent(name)}`);
  process.env.DATABASE_URL = withDatabase(server, name);
  process.env.KEYWARD_SECRET ??= "bench-secret-bench-secret-bench-secret!";
  process.env.KEYWARD_ENCRYPTION_KEY ??= Buffer.alloc(32, 1).toString("base64");
  resetConfigForTests();
  try {
    await applyMigrations({ url: process.env.DATABASE_URL });
    for (const table of TABLES)
      await db.$executeRawUnsafe(`ALTER TABLE "${table}" SET (autovacuum_enabled = false)`);
    const started = Date.now();
    await seedUsers(0); // the built-in roles
    const adminRoleId = await builtInRoleId(db, "admin");
    await seedRange(1, ANALYZED_AT, adminRoleId);
    await db.$executeRawUnsafe(`ANALYZE`);
    await seedRange(ANALYZED_AT + 1, USERS, adminRoleId);
    console.log(
      `seeded ${USERS} users in ${((Date.now() - started) / 1000).toFixed(1)} s (ANALYZE at ${ANALYZED_AT})`,
    );

    const someone = await db.user.findFirstOrThrow({
      where: { roles: { some: { roleId: adminRoleId } }, status: "active" },
    });
    const session = await db.session.create({
      data: {
        id: "ses_bench",
        userId: someone.id,
        expiresAt: new Date(Date.now() + 3_600_000),
        authTime: new Date(),
        amr: ["pwd"],
      },
    });
    const actor = await resolveSession(session.id);
    if (!actor) throw new Error("no principal");
    const list = (query: Record<string, string>) => listUsers(actor, listUsersSchema.parse(query));
    const firstPage = await list({});
    const scenarios: Scenario[] = [
      ["baseline: user by primary key", () => db.user.findUnique({ where: { id: "usr_bench00050000" } })],
      ["first page (sorted by email)", () => list({})],
      ["next page (cursor)", () => list(firstPage.nextCursor ? { after: firstPage.nextCursor } : {})],
      ["search 'user4242' (email or name)", () => list({ q: "user4242" })],
      ["search 'user4242', by name, 5 (palette)", () => list({ q: "user4242", sort: "name", limit: "5" })],
      ["search 'User 4242' (names)", () => list({ q: "User 4242" })],
      ["search 'bench13' (1 % of users, spread)", () => list({ q: "bench13" })],
      ["search 'user42' (1 %, far along the order)", () => list({ q: "user42" })],
      ["search 'user9' (11 %, at the end of it)", () => list({ q: "user9" })],
      ["search 'q' (1 character, no match)", () => list({ q: "q" })],
      ["filter status=disabled", () => list({ status: "disabled" })],
      ["filter role=Administrator", () => list({ role: adminRoleId })],
      ["filter mfa=no, sorted by created", () => list({ mfa: "no", sort: "created", dir: "desc" })],
    ];

    const stale = await measureAll(scenarios);
    await db.$executeRawUnsafe(`ANALYZE`);
    const fresh = await measureAll(scenarios);
    print(`stale statistics (last ANALYZE at ${ANALYZED_AT} users)`, stale, fresh);
    print("fresh statistics (ANALYZE after the bulk load)", fresh);
    const absent = await db
      .$executeRawUnsafe(`DELETE FROM pg_statistic WHERE starelid = '"User"'::regclass`)
      .then(() => true)
      .catch(() => false);
    if (absent)
      print("no column statistics on User (pg_statistic rows deleted)", await measureAll(scenarios), fresh);
    else console.log("\nno column statistics: skipped (deleting pg_statistic rows needs a superuser)");
  } finally {
    await closeDb();
    await adminQuery(server, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
