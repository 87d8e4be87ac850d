// Benchmark (not a test): the users list at 100,000 users. Seeds a fresh database with SQL (one
// shared argon2id hash, not 100,000 hash runs), then times search, filters and next-page queries
// through the real domain function, each beside a baseline measured in the same run: a primary-key
// lookup through the same client. Prints p50/p99 and the ratio to the baseline; never fails on a number.
//   npm run bench:users [-- --users 100000 --runs 200]
import { parseArgs } from "node:util";

import { resetConfigForTests } from "../lib/config/env.ts";
import { closeDb, db } from "../lib/db/client.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { builtInRoleId } from "../lib/roles/ensure-built-in-roles.ts";
import { seedUsers } from "./lib/seed.ts";
import { resolveSession } from "../lib/auth/sessions.ts";
import { listUsers } from "../lib/users/list-users.ts";
import { listUsersSchema } from "../lib/users/user-schemas.ts";
import { adminQuery, quoteIdent, uniqueName, withDatabase } from "../test/database.ts";
import { BENCH_SERVER_URL, timeSequential } from "./lib/stats.ts";

const { values } = parseArgs({
  options: { users: { type: "string", default: "100000" }, runs: { type: "string", default: "200" } },
});
const USERS = Number(values.users);
const RUNS = Number(values.runs);
const server = BENCH_SERVER_URL;
const time = (run: () => Promise<unknown>) => timeSequential(run, RUNS);

async function seed(): Promise<string> {
  const started = Date.now();
  await seedUsers(USERS);
  const admin = await builtInRoleId(db, "admin");
  // A role held by about 1 % of users, to filter by.
  await db.$executeRawUnsafe(
    `INSERT INTO "RoleAssignment" ("userId", "roleId") SELECT id, $1 FROM "User" WHERE id LIKE 'usr_bench%' AND abs(hashtext(id)) % 97 = 0 ON CONFLICT DO NOTHING`,
    admin,
  );
  await db.$executeRawUnsafe(`ANALYZE`);
  console.log(`seeded ${USERS} users in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return admin;
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
    const adminRoleId = await seed();
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
    const firstPage = await listUsers(actor, listUsersSchema.parse({}));
    const scenarios: [string, () => Promise<unknown>][] = [
      ["baseline: user by primary key", () => db.user.findUnique({ where: { id: "usr_bench00050000" } })],
      ["first page (sorted by email)", () => listUsers(actor, listUsersSchema.parse({}))],
      [
        "next page (cursor)",
        () => listUsers(actor, listUsersSchema.parse({ after: firstPage.nextCursor ?? undefined })),
      ],
      ["search 'user4242' (email or name)", () => listUsers(actor, listUsersSchema.parse({ q: "user4242" }))],
      ["search 'bench13' (many matches)", () => listUsers(actor, listUsersSchema.parse({ q: "bench13" }))],
      ["filter status=disabled", () => listUsers(actor, listUsersSchema.parse({ status: "disabled" }))],
      ["filter role=Administrator", () => listUsers(actor, listUsersSchema.parse({ role: adminRoleId }))],
      [
        "filter mfa=no, sorted by created",
        () => listUsers(actor, listUsersSchema.parse({ mfa: "no", sort: "created", dir: "desc" })),
      ],
    ];
    const results: { scenario: string; p50: number; p99: number }[] = [];
    for (const [scenario, run] of scenarios) results.push({ scenario, ...(await time(run)) });
    const base = results[0]?.p50 ?? 1;
    console.log(`\nusers list at ${USERS} users, ${RUNS} runs each (ms; ratio = p50 / baseline p50)`);
    console.log(`${"scenario".padEnd(40)} ${"p50".padStart(8)} ${"p99".padStart(8)} ${"ratio".padStart(7)}`);
    for (const r of results) {
      console.log(
        `${r.scenario.padEnd(40)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${(r.p50 / base).toFixed(1).padStart(7)}`,
      );
    }
    const plan = await db.$queryRawUnsafe<{ "QUERY PLAN": string }[]>(
      `EXPLAIN SELECT id FROM "User" WHERE email LIKE '%user4242%' OR name ILIKE '%user4242%' ORDER BY email, id LIMIT 26`,
    );
    console.log(
      `\nsearch plan: ${plan
        .map((row) => row["QUERY PLAN"].trim())
        .filter((l) => /Index|Scan/.test(l))
        .join(" | ")}`,
    );
  } finally {
    await closeDb();
    await adminQuery(server, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
