import { describe, expect, it } from "vitest";

import { strongPassword, uniqueEmail } from "@/test/factories";
import { call } from "@/test/requests";
import { verifyAuditChain } from "@/lib/audit/verify-chain";
import { db } from "@/lib/db/client";
import { bootstrap } from "@/lib/setup/bootstrap";
import { isSetupOpen } from "@/lib/setup/setup-state";

import { POST } from "./route";

const form = (code: string, overrides: Record<string, unknown> = {}) => ({
  code,
  name: "First Admin",
  email: uniqueEmail("admin"),
  password: strongPassword(),
  ...overrides,
});

// Guarantee: only the holder of the one-time code from the server log creates the first administrator, once.
describe("POST /api/setup", () => {
  it("rejects bad input with 4xx problems and never a 500", async () => {
    const cases: { options: Parameters<typeof call>[1]; status: number }[] = [
      { options: { body: "", headers: { "content-type": "application/json" } }, status: 400 },
      { options: { body: "{not json", headers: { "content-type": "application/json" } }, status: 400 },
      {
        options: { body: "code=x", headers: { "content-type": "application/x-www-form-urlencoded" } },
        status: 415,
      },
      { options: { json: [] }, status: 400 },
      { options: { json: { code: 1, email: true, name: null, password: [] } }, status: 400 },
      { options: { json: form("x", { password: "short" }) }, status: 400 },
      { options: { json: form("x", { name: "n".repeat(101) }) }, status: 400 },
      { options: { json: form("x", { email: "a\u0000@example.test" }) }, status: 400 },
      { options: { json: { ...form("x"), extra: "x".repeat(70_000) } }, status: 413 },
    ];
    for (const { options, status } of cases) {
      const response = await call(POST, { method: "POST", ...options });
      expect(response.status, JSON.stringify(options).slice(0, 80)).toBe(status);
      expect(response.headers.get("content-type")).toBe("application/problem+json");
      expect(response.body.detail).toEqual(expect.any(String));
    }
    expect(await db.user.count()).toBe(0);
  });

  it("refuses a wrong code, names the field, audits it, and creates nothing", async () => {
    await bootstrap();
    const response = await call(POST, { json: form("ZZZZ-ZZZZ-ZZZZ") });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([{ path: "code", message: expect.stringContaining("not valid") }]);
    expect(await db.user.count()).toBe(0);
    expect(await db.auditEvent.count({ where: { action: "setup.code_rejected" } })).toBe(1);
  });

  it("refuses a leaked password even with the right code, and keeps the code usable", async () => {
    const boot = await bootstrap();
    if (boot.state !== "awaiting_setup") throw new Error(`unexpected ${boot.state}`);
    const leaked = await call(POST, { json: form(boot.code, { password: "qwerty123456" }) });
    expect(leaked.status).toBe(400);
    expect(leaked.body.errors).toEqual([{ path: "password", message: expect.stringContaining("leaked") }]);

    // Typed loosely (lower case, spaces), the same code then works.
    const typed = boot.code.toLowerCase().replace(/-/g, " ");
    const ok = await call(POST, { json: form(typed) });
    expect(ok.status).toBe(201);
    const admin = await db.user.findUniqueOrThrow({
      where: { id: String(ok.body.userId) },
      include: { roles: { include: { role: true } }, password: true },
    });
    expect(admin.status).toBe("active");
    expect(admin.roles.map((r) => r.role.builtInKey)).toEqual(["admin"]);
    expect(admin.password?.hash).toMatch(/^\$argon2id\$/);
    expect(await isSetupOpen(db)).toBe(false);
    expect(await db.auditEvent.count({ where: { action: "setup.completed" } })).toBe(1);
    expect((await verifyAuditChain(db)).ok).toBe(true);

    // Closed for good: the same code, or a new one, no longer creates anyone.
    const reused = await call(POST, { json: form(boot.code) });
    expect(reused.status).toBe(400);
    expect(reused.body.detail).toContain("already been used");
    expect(await bootstrap()).toEqual({ state: "ready" });
    expect(await db.user.count()).toBe(1);
  });

  it("limits guessing per address with 429 and Retry-After", async () => {
    let last = 0;
    let retryAfter: string | null = null;
    for (let i = 0; i < 11; i++) {
      const response = await call(POST, { json: form("AAAA-BBBB-CCCC"), ip: "192.0.2.200" });
      last = response.status;
      retryAfter = response.headers.get("retry-after");
    }
    expect(last).toBe(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});
