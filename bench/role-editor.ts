// Benchmark (not a test): the role editor's permission catalog and the permission matrix at
// 100 APIs × 50 permissions × 1,000 roles (issue 14: p99 < 50 ms). Seeds a fresh database with
// SQL, then times the real domain functions, each beside a baseline measured in the same run (a
// primary-key lookup through the same client). Prints p50/p99 and the ratio; never fails on a number.
//   npm run bench:roles [-- --apis 100 --permissions 50 --roles 1000 --runs 200]
import { parseArgs } from "node:util";

import { ensureBuiltInApi } from "../lib/apis/ensure-built-in-api.ts";
import { catalogEntries, permissionCatalog } from "../lib/apis/permission-catalog.ts";
import { resolveSession } from "../lib/auth/sessions.ts";
import { resetConfigForTests } from "../lib/config/env.ts";
import { closeDb, db, dbPool } from "../lib/db/client.ts";
import { applyMigrations } from "../lib/db/migrate.ts";
import { builtInRoleId, ensureBuiltInRoles } from "../lib/roles/ensure-built-in-roles.ts";
import { getRole, listRoles } from "../lib/roles/list-roles.ts";
import { holdersOfPermission, permissionMatrix } from "../lib/roles/permission-matrix.ts";
import { adminQuery, quoteIdent, uniqueName, withDatabase } from "../test/database.ts";
import { planShapes } from "./lib/plans.ts";
import { seedUsers } from "./lib/seed.ts";
import { BENCH_SERVER_URL, timeSequential } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    apis: { type: "string", default: "100" },
    permissions: { type: "string", default: "50" },
    roles: { type: "string", default: "1000" },
    runs: { type: "string", default: "200" },
  },
});
const APIS = Number(values.apis);
const PERMS = Number(values.permissions);
const ROLES = Number(values.roles);
const RUNS = Number(values.runs);
const server = BENCH_SERVER_URL;
const time = (run: () => Promise<unknown>) => timeSequential(run, RUNS);

/** APIs "Bench API 001".., permissions "p01.read".., roles each granting 10 permissions at 5 APIs. */
async function seed(): Promise<void> {
  const started = Date.now();
  await ensureBuiltInApi(db);
  await ensureBuiltInRoles(db);
  await seedUsers(1_000);
  await db.$executeRawUnsafe(`
    INSERT INTO "Api" (id, name, identifier, "updatedAt")
    SELECT 'api_bench' || lpad(a::text, 4, '0'), 'Bench API ' || lpad(a::text, 3, '0'),
           'https://bench' || a || '.example/', now()
    FROM generate_series(1, ${APIS}) AS a`);
  await db.$executeRawUnsafe(`
    INSERT INTO "ApiPermission" (id, "apiId", name, description, "deprecatedAt")
    SELECT 'perm_bench' || lpad(a::text, 4, '0') || '_' || lpad(p::text, 3, '0'), 'api_bench' || lpad(a::text, 4, '0'),
           'p' || lpad(p::text, 2, '0') || '.read', 'Reads thing ' || p || '.',
           CASE WHEN p % 25 = 0 THEN now() END
    FROM generate_series(1, ${APIS}) AS a, generate_series(1, ${PERMS}) AS p`);
  await db.$executeRawUnsafe(`
    INSERT INTO "Role" (id, name, "updatedAt")
    SELECT 'rol_bench' || lpad(r::text, 5, '0'), 'Bench role ' || lpad(r::text, 5, '0'), now()
    FROM generate_series(1, ${ROLES}) AS r`);
  await db.$executeRawUnsafe(`
    INSERT INTO "RolePermission" ("roleId", "permissionId")
    SELECT 'rol_bench' || lpad(r::text, 5, '0'),
           'perm_bench' || lpad((1 + (r * 7 + k) % ${APIS})::text, 4, '0') || '_' || lpad((1 + (r + j) % ${PERMS})::text, 3, '0')
    FROM generate_series(1, ${ROLES}) AS r, generate_series(0, 4) AS k, generate_series(0, 9) AS j
    ON CONFLICT DO NOTHING`);
  await db.$executeRawUnsafe(`ANALYZE`);
  console.log(
    `seeded ${APIS} APIs × ${PERMS} permissions, ${ROLES} roles in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
}

async function principalWith(userId: string, roleIds: string[]) {
  for (const roleId of roleIds) {
    await db.roleAssignment.upsert({
      where: { userId_roleId: { userId, roleId } },
      create: { userId, roleId },
      update: {},
    });
  }
  const session = await db.session.create({
    data: {
      id: `ses_bench_${userId}`,
      userId,
      expiresAt: new Date(Date.now() + 3_600_000),
      authTime: new Date(),
      amr: ["pwd"],
    },
  });
  const principal = await resolveSession(session.id);
  if (!principal) throw new Error("no principal");
  return principal;
}

async function main(): Promise<void> {
  const name = uniqueName("keyward_bench_roles");
  await adminQuery(server, `CREATE DATABASE ${quoteIdent(name)}`);
  process.env.DATABASE_URL = withDatabase(server, name);
  process.env.KEYWARD_SECRET ??= "bench-secret-bench-secret-bench-secret!";
  process.env.KEYWARD_ENCRYPTION_KEY ??= Buffer.alloc(32, 1).toString("base64");
  resetConfigForTests();
  try {
    await applyMigrations({ url: process.env.DATABASE_URL });
    await seed();
    const admin = await principalWith("usr_bench00000002", [await builtInRoleId(db, "admin")]);
    // A role editor holding what ten bench roles grant (about 500 permissions), not Administrator.
    const editorRoles = Array.from(
      { length: 10 },
      (_, i) => `rol_bench${String(i * 97 + 1).padStart(5, "0")}`,
    );
    const editorRole = await db.role.create({
      data: {
        id: "rol_benchedit",
        name: "Bench editor",
        grants: {
          create: [{ permissionId: "perm_keyward_roles.write" }, { permissionId: "perm_keyward_roles.read" }],
        },
      },
    });
    const editor = await principalWith("usr_bench00000003", [editorRole.id, ...editorRoles]);
    const role = await getRole(admin, "rol_bench00500");
    const firstMatrix = await permissionMatrix(admin, { apiId: "api_bench0042" });
    const scenarios: [string, () => Promise<unknown>][] = [
      ["baseline: role by primary key", () => db.role.findUnique({ where: { id: "rol_bench00500" } })],
      ["catalog first page (Administrator)", () => permissionCatalog({ actor: admin })],
      ["catalog first page (role editor)", () => permissionCatalog({ actor: editor })],
      ["catalog next page (cursor)", () => permissionCatalog({ actor: editor, cursor: "api_bench0020" })],
      [
        "catalog search API 'bench api 042'",
        () => permissionCatalog({ actor: editor, query: "bench api 042" }),
      ],
      ["catalog search permission 'p37.read'", () => permissionCatalog({ actor: editor, query: "p37.read" })],
      ["roles search 'role 0042' (10 of them)", () => listRoles(admin, { q: "role 0042" })],
      ["roles search 'bench role' (all of them)", () => listRoles(admin, { q: "bench role" })],
      ["role with 50 grants (getRole)", () => getRole(admin, "rol_bench00500")],
      [
        "role editor's chosen entries",
        () =>
          catalogEntries(
            editor,
            role.apiPermissions.map((p) => p.id),
          ),
      ],
      ["matrix one API, first 50 roles", () => permissionMatrix(admin, { apiId: "api_bench0042" })],
      [
        "matrix one API, next 50 roles",
        () =>
          permissionMatrix(admin, { apiId: "api_bench0042", cursor: firstMatrix.nextCursor ?? undefined }),
      ],
      ["matrix one API, 200 roles", () => permissionMatrix(admin, { apiId: "api_bench0042", limit: 200 })],
      ["who holds one permission", () => holdersOfPermission(admin, "perm_bench0042_007")],
    ];
    const results: { scenario: string; p50: number; p99: number; plan: string }[] = [];
    for (const [scenario, run] of scenarios) {
      // The plan shape of the searches and lists (EXPLAIN of exactly what was sent).
      const table = scenario.startsWith("catalog") ? "Api" : scenario.startsWith("roles") ? "Role" : null;
      const plan = table ? await planShapes(dbPool(), run, table) : "";
      results.push({ scenario, plan, ...(await time(run)) });
    }
    const base = results[0]?.p50 ?? 1;
    console.log(
      `\nrole editor and matrix at ${APIS} APIs × ${PERMS} permissions × ${ROLES} roles, ${RUNS} runs each`,
    );
    console.log(`(ms; ratio = p50 / baseline p50; issue 14 asks p99 < 50 ms)`);
    console.log(
      `${"scenario".padEnd(40)} ${"p50".padStart(8)} ${"p99".padStart(8)} ${"ratio".padStart(7)}  plan`,
    );
    for (const r of results) {
      console.log(
        `${r.scenario.padEnd(40)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${(r.p50 / base).toFixed(1).padStart(7)}  ${r.plan}`,
      );
    }
  } finally {
    await closeDb();
    await adminQuery(server, `DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
