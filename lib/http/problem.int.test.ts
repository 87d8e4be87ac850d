import pg from "pg";
import { describe, expect, it } from "vitest";

import { makeRole } from "../../test/factories.ts";
import { call } from "../../test/requests.ts";
import { getConfig, resetConfigForTests } from "../config/env.ts";
import { newSecretToken } from "../crypto/secret-token.ts";
import { closeDb, db } from "../db/client.ts";
import { toAppError } from "./problem.ts";

// A write racing a removal (a grant of a permission deleted meanwhile) is a 409 the person can act
// on, never a 500: the transaction rolled back whole.
describe("a write that lost a race", () => {
  it("a foreign key to a row removed meanwhile is a conflict", async () => {
    const role = await makeRole([]);
    const error = await db.rolePermission
      .create({ data: { roleId: role.id, permissionId: "perm_removed_meanwhile" } })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    expect(error).toBeDefined();
    const appError = toAppError(error, "req_test");
    expect(appError.code).toBe("conflict");
    expect(appError.message).not.toContain("perm_removed_meanwhile");
    expect(await db.rolePermission.count({ where: { roleId: role.id } })).toBe(0);
  });

  it("anything else stays a generic 500 with the request id only", () => {
    const appError = toAppError(new Error("secret detail"), "req_test");
    expect(appError.code).toBe("internal");
    expect(appError.message).not.toContain("secret detail");
  });
});

// A database that is down, restarting or out of connections is the service being unavailable: 503
// with Retry-After, from the real errors Prisma and pg raise, never a 500.
describe("a database that cannot be used", () => {
  it("unreachable, a token-bearing API call is a 503 problem with Retry-After", async () => {
    const { GET: me } = await import("../../app/api/v1/me/route.ts");
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = "postgresql://postgres@127.0.0.1:1/unreachable";
    resetConfigForTests();
    try {
      const started = Date.now();
      const answer = await call(me, { path: "/api/v1/me", bearer: newSecretToken("personal") });
      expect(answer.status).toBe(503);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
      expect(answer.headers.get("retry-after")).toBe("5");
      expect(answer.body).toMatchObject({ type: "urn:keyward:problem:unavailable", status: 503 });
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await closeDb();
      process.env.DATABASE_URL = saved;
      resetConfigForTests();
    }
  });

  it("a connection ended by the server under a query, or no free connection in time, is a 503", async () => {
    // The server ends this session's connection while Prisma is using it (what a restart does).
    const other = new pg.Client({ connectionString: getConfig().databaseUrl });
    await other.connect();
    const failed = db
      .$transaction(async (tx) => {
        await tx.$queryRaw`SELECT pg_backend_pid()`;
        await tx.$queryRaw`SELECT pg_sleep(2)`;
      })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await other.query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND datname = current_database()",
    );
    await other.end();
    const error = await failed;
    expect(toAppError(error, "req_test").code).toBe("unavailable");

    // The pool's wait for a connection ran out (KEYWARD_DB_CONNECT_TIMEOUT_MS).
    const pool = new pg.Pool({
      connectionString: getConfig().databaseUrl,
      max: 1,
      connectionTimeoutMillis: 100,
    });
    const held = await pool.connect();
    const waited = await pool.connect().then(
      (client) => client.release(),
      (caught: unknown) => caught,
    );
    held.release();
    await pool.end();
    expect(toAppError(waited, "req_test").code).toBe("unavailable");
  });

  it("a constraint violation or a fault of our own is not mistaken for it", () => {
    expect(toAppError(Object.assign(new Error("duplicate"), { code: "23505" }), "r").code).toBe("internal");
    expect(toAppError(new Error("Cannot read properties of undefined"), "r").code).toBe("internal");
  });
});
