import { db } from "../lib/db/client.ts";
import { createTestUser, expect, signIn, test } from "./fixtures";

// Guarantee: without KEYWARD_TRUSTED_PROXIES, a client cannot choose the address that limits and
// the audit log record, neither with X-Forwarded-For nor with our own internal header.
test("a spoofed X-Forwarded-For or x-keyward-peer is ignored: the audit log records the real peer", async ({
  request,
}) => {
  const user = await createTestUser({ label: "spoofed" });
  const response = await request.post("/api/auth/sign-in/password", {
    data: { email: user.email, password: "not the password at all" },
    headers: { "x-forwarded-for": "6.6.6.6", "x-keyward-peer": "7.7.7.7", "x-real-ip": "8.8.8.8" },
  });
  expect(response.status()).toBe(401);
  const event = await db.auditEvent.findFirst({
    where: { action: "auth.sign_in_failed", targetId: user.id },
    orderBy: { id: "desc" },
  });
  expect(event?.ip).toMatch(/^(127\.0\.0\.1|::1)$/);
});

// Guarantee: every response carries the security headers, and the session cookie its flags.
test("pages and API responses carry security headers; the session cookie is HttpOnly and SameSite=Lax", async ({
  page,
  request,
}) => {
  for (const path of ["/login", "/api/health", "/api/v1/me"]) {
    const headers = (await request.get(path)).headers();
    expect(headers["content-security-policy"], path).toContain("frame-ancestors 'none'");
    expect(headers["x-frame-options"], path).toBe("DENY");
    expect(headers["x-content-type-options"], path).toBe("nosniff");
    expect(headers["referrer-policy"], path).toBe("strict-origin-when-cross-origin");
    // Served over plain HTTP here: no HSTS, which browsers would ignore anyway.
    expect(headers["strict-transport-security"], path).toBeUndefined();
  }
  const user = await createTestUser({ label: "cookies" });
  await page.goto("/login");
  await signIn(page, user);
  const session = (await page.context().cookies()).find((cookie) => cookie.name === "kw_session");
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
});
