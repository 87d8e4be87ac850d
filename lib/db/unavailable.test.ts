import { describe, expect, it } from "vitest";

import { isDatabaseUnavailable } from "./unavailable.ts";

const withCode = (message: string, code: string, extra: object = {}) =>
  Object.assign(new Error(message), { code, ...extra });

describe("isDatabaseUnavailable", () => {
  it("knows the shapes a down, restarting or saturated database arrives in", () => {
    expect(isDatabaseUnavailable(withCode("Can't reach database server", "P1001"))).toBe(true);
    expect(isDatabaseUnavailable(withCode("Timed out fetching a new connection", "P2024"))).toBe(true);
    const adapter = { kind: "DatabaseNotReachable", host: "db", port: 5432 };
    const prisma = withCode("Raw query failed", "P2010", {
      meta: { driverAdapterError: Object.assign(new Error("DatabaseNotReachable"), { cause: adapter }) },
    });
    expect(isDatabaseUnavailable(prisma)).toBe(true);
    expect(isDatabaseUnavailable({ kind: "postgres", code: "57P01", message: "terminating" })).toBe(true);
    expect(isDatabaseUnavailable(withCode("the database system is starting up", "57P03"))).toBe(true);
    expect(isDatabaseUnavailable(withCode("connection failure", "08006"))).toBe(true);
    expect(isDatabaseUnavailable(withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED"))).toBe(true);
    expect(isDatabaseUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
    expect(
      isDatabaseUnavailable(new Error("wrapped", { cause: new Error("Connection terminated unexpectedly") })),
    ).toBe(true);
  });

  it("is not fooled by faults of the request or of Keyward", () => {
    expect(isDatabaseUnavailable(withCode("Unique constraint failed", "P2002"))).toBe(false);
    expect(isDatabaseUnavailable({ kind: "postgres", code: "23505", message: "duplicate key" })).toBe(false);
    expect(isDatabaseUnavailable({ kind: "UniqueConstraintViolation" })).toBe(false);
    expect(isDatabaseUnavailable(new TypeError("Cannot read properties of undefined"))).toBe(false);
    expect(isDatabaseUnavailable(null)).toBe(false);
    expect(isDatabaseUnavailable("Connection terminated")).toBe(false);
    expect(isDatabaseUnavailable({ code: 8006 })).toBe(false);
  });

  it("ends on a cause that loops back to itself", () => {
    const looping: Error & { cause?: unknown } = new Error("outer");
    looping.cause = looping;
    expect(isDatabaseUnavailable(looping)).toBe(false);
  });
});
