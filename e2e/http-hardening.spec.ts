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
    // Served over plain HTTP here: no HSTS, which browsers would ignore anyway. A client cannot
    // claim HTTPS with X-Forwarded-Proto: no trusted proxy is configured.
    expect(headers["strict-transport-security"], path).toBeUndefined();
    const spoofed = await request.get(path, { headers: { "x-forwarded-proto": "https" } });
    expect(spoofed.headers()["strict-transport-security"], path).toBeUndefined();
  }
  const user = await createTestUser({ label: "cookies" });
  await page.goto("/login");
  await signIn(page, user);
  const session = (await page.context().cookies()).find((cookie) => cookie.name === "kw_session");
  expect(session).toMatchObject({ httpOnly: true, sameSite: "Lax", path: "/" });
});

// Guarantee: only scripts Keyward rendered in this response run (a nonce per response, no
// 'unsafe-inline'), and the app works under that policy (no violation while a user works).
test("every page's scripts carry the response's nonce; no CSP violation while signing in and using the app", async ({
  page,
  request,
}) => {
  const nonces = new Set<string>();
  for (let i = 0; i < 2; i++) {
    const response = await request.get("/login");
    const csp = response.headers()["content-security-policy"] ?? "";
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
    expect(csp).toContain("'strict-dynamic'");
    expect(csp).not.toContain("'unsafe-inline'");
    expect(nonce).toBeTruthy();
    nonces.add(nonce ?? "");
    const html = await response.text();
    const scripts = [...html.matchAll(/<script\b[^>]*>/g)].map((match) => match[0]);
    expect(scripts.length).toBeGreaterThan(0);
    for (const tag of scripts) expect(tag).toContain(`nonce="${nonce}"`);
  }
  expect(nonces.size).toBe(2);

  const violations: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const user = await createTestUser({ roles: ["admin"], label: "csp" });
  await page.goto("/login");
  await signIn(page, user);
  for (const path of [
    "/account",
    "/account/security",
    "/users",
    "/roles",
    "/tokens",
    "/clients",
    "/audit",
    "/settings",
    "/api-docs",
  ]) {
    await page.goto(path);
    await expect(page.getByRole("main")).toBeVisible();
  }
  expect(violations).toEqual([]);
});

// Guarantee: a page on another site cannot make a signed-in browser change anything (CSRF), through
// a route handler, a server action or next-auth; Keyward's own pages can.
test("state-changing requests from another origin are refused with 403; same-origin ones work", async ({
  page,
}) => {
  const user = await createTestUser({ roles: ["developer"], label: "csrf" });
  await page.goto("/login");
  await signIn(page, user);
  const api = page.context().request;
  const body = { name: "csrf probe", scopes: ["clients.read"], expiration: "7" };
  const crossSite: Record<string, string>[] = [
    { origin: "https://evil.example" },
    { "sec-fetch-site": "cross-site" },
    { "sec-fetch-site": "same-site" },
  ];
  for (const headers of crossSite) {
    for (const path of ["/api/v1/tokens", "/api/auth/signout", "/account"]) {
      const response = await api.post(path, { data: body, headers, maxRedirects: 0 });
      expect(response.status(), `${path} ${JSON.stringify(headers)}`).toBe(403);
      expect(response.headers()["content-type"]).toContain("application/problem+json");
    }
  }
  expect(await db.apiToken.count({ where: { userId: user.id } })).toBe(0);
  // The session was not ended by the refused sign-out either.
  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();

  const baseURL = new URL(page.url()).origin;
  const ok = await api.post("/api/v1/tokens", { data: body, headers: { origin: baseURL } });
  expect(ok.status()).toBe(201);
});

// Guarantee: an oversized body is refused with 413 before anything reads it, and a JSON route's own
// tighter limit answers in problem+json too.
test("oversized request bodies are refused with 413 problem responses", async ({ request }) => {
  const huge = await request.post("/api/auth/sign-in/password", {
    headers: { "content-type": "application/json" },
    data: JSON.stringify({ email: "a@example.test", password: "x".repeat(2 * 1024 * 1024) }),
  });
  expect(huge.status()).toBe(413);
  expect(huge.headers()["content-type"]).toContain("application/problem+json");
  const large = await request.post("/api/auth/sign-in/password", {
    headers: { "content-type": "application/json" },
    data: JSON.stringify({ email: "a@example.test", password: "x".repeat(100 * 1024) }),
  });
  expect(large.status()).toBe(413);
  expect(await large.json()).toMatchObject({ status: 413, title: "Payload too large" });
});

// Guarantee: the production build serves no benchmark-only route; `npm run bench` measures its
// floor on /api/health instead (bench/run.ts), so nothing the benchmark needs is left switched off
// by an environment variable in production.
test("the production build serves no benchmark route", async ({ request }) => {
  for (const path of ["/api/bench/floor", "/api/bench"]) {
    expect((await request.get(path)).status(), path).toBe(404);
  }
});
