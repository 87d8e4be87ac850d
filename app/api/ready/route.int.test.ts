import { describe, expect, it } from "vitest";

import { call } from "@/test/requests";
import { resetConfigForTests } from "@/lib/config/env";
import { closeDb } from "@/lib/db/client";

import { GET as health } from "../health/route";
import { GET as ready } from "./route";

describe("health and readiness", () => {
  it("reports live and ready with a database", async () => {
    expect(await call(health)).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await call(ready)).toMatchObject({ status: 200, body: { status: "ready" } });
  });

  it("answers 503 when the database cannot be reached, and health stays up", async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = "postgresql://postgres@127.0.0.1:1/unreachable";
    resetConfigForTests();
    try {
      expect(await call(ready)).toMatchObject({ status: 503, body: { status: "unavailable" } });
      expect((await call(health)).status).toBe(200);
      // Even with a session cookie: health never asks the database.
      expect((await call(health, { cookie: "kw_session=anything" })).status).toBe(200);
    } finally {
      await closeDb();
      process.env.DATABASE_URL = saved;
      resetConfigForTests();
    }
  });
});
