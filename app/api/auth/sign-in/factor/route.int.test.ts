import { describe, expect, it } from "vitest";

import { call } from "@/test/requests";

import { POST } from "./route";

describe("POST /api/auth/sign-in/factor", () => {
  it("answers 401 without a sign-in attempt, and 400 to malformed codes, never 500", async () => {
    expect((await call(POST, { json: { method: "totp", code: "123456" } })).status).toBe(401);
    expect(
      (await call(POST, { json: { method: "totp", code: "123456" }, cookie: "kw_signin=forged" })).status,
    ).toBe(401);
    for (const json of [
      {},
      { method: "sms", code: "1" },
      { method: "totp", code: "12345x" },
      { method: "recovery", code: "short" },
      { method: "totp", code: 123456 },
    ]) {
      const response = await call(POST, { json, cookie: "kw_signin=forged" });
      expect(response.status, JSON.stringify(json)).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
  });
});
