import { describe, expect, it } from "vitest";

import { makeUser, uniqueEmail } from "@/test/factories";
import { call } from "@/test/requests";

import { POST } from "./route";

describe("POST /api/auth/sign-in/password", () => {
  it("keeps the attempt in a short-lived httpOnly cookie and never returns the secret in the body", async () => {
    const user = await makeUser();
    const response = await call(POST, { json: { email: user.email.toUpperCase(), password: user.password } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ next: "complete", factors: [], expiresAt: expect.any(String) });
    const [attempt, device] = response.headers.getSetCookie();
    expect(attempt).toMatch(/^kw_signin=[\w-]{40,}; Path=\/api\/auth; Max-Age=300; HttpOnly; SameSite=Lax$/);
    // The device cookie: only sent back to the sign-in endpoints, never readable by scripts.
    expect(device).toMatch(
      /^kw_device=[\w.-]{60,}; Path=\/api\/auth\/sign-in; Max-Age=31536000; HttpOnly; SameSite=Strict$/,
    );
  });

  // Guarantee: the same status and message whether or not the account exists.
  it("answers unknown email and wrong password with the same 401 problem", async () => {
    const user = await makeUser();
    const wrong = await call(POST, { json: { email: user.email, password: "wrong password!" } });
    const unknown = await call(POST, { json: { email: uniqueEmail(), password: "wrong password!" } });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
    expect(wrong.headers.get("set-cookie")).toBeNull();
  });

  it("rejects malformed input with 400, never 500", async () => {
    for (const json of [
      {},
      { email: "x" },
      { email: "a@b.co", password: "" },
      { email: ["a"], password: 1 },
      "text",
    ]) {
      const response = await call(POST, { json });
      expect(response.status).toBe(400);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
    }
    const huge = await call(POST, { json: { email: "a@b.co", password: "p".repeat(2000) } });
    expect(huge.status).toBe(400);
  });
});
