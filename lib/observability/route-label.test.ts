import path from "node:path";

import fc from "fast-check";
import { describe, expect, it } from "vitest";

import { appRoutePatterns, keywardRouteTable } from "./app-routes.ts";
import { OTHER_ROUTE, routeLabel, routeTable } from "./route-label.ts";

// Guarantee: the `route` label of metrics and logs is a route pattern or "other", never a path a
// client chose, so the number of series stays bounded whatever is sent.

const PATTERNS = [
  "/",
  "/users",
  "/users/[id]",
  "/users/new",
  "/api/v1/users/[userId]/sessions/[sessionId]",
  "/api/auth/[...nextauth]",
  "/docs/[[...slug]]",
];
const table = routeTable(PATTERNS, [["/_next/static/", "/_next/static"]]);

describe("routeLabel", () => {
  it("names the matched pattern, the static segment before a dynamic one", () => {
    expect(routeLabel(table, "/")).toBe("/");
    expect(routeLabel(table, "/users")).toBe("/users");
    expect(routeLabel(table, "/users/")).toBe("/users");
    expect(routeLabel(table, "/users/new")).toBe("/users/new");
    expect(routeLabel(table, "/users/usr_123")).toBe("/users/[id]");
    expect(routeLabel(table, "/api/v1/users/usr_1/sessions/ses_2")).toBe(
      "/api/v1/users/[userId]/sessions/[sessionId]",
    );
    expect(routeLabel(table, "/api/auth/callback/attempt")).toBe("/api/auth/[...nextauth]");
    expect(routeLabel(table, "/docs")).toBe("/docs/[[...slug]]");
    expect(routeLabel(table, "/docs/a/b/c")).toBe("/docs/[[...slug]]");
    expect(routeLabel(table, "/_next/static/chunks/abc123.js")).toBe("/_next/static");
  });

  it("calls everything else other: unknown paths, deeper paths, a catch-all that needs a segment", () => {
    expect(routeLabel(table, "/wp-admin/install.php")).toBe(OTHER_ROUTE);
    expect(routeLabel(table, "/users/usr_1/extra")).toBe(OTHER_ROUTE);
    expect(routeLabel(table, "/api/auth")).toBe(OTHER_ROUTE);
    expect(routeLabel(table, "")).toBe(OTHER_ROUTE);
    expect(routeLabel(table, "*")).toBe(OTHER_ROUTE);
    expect(routeLabel(table, "http://evil.test/users")).toBe(OTHER_ROUTE);
  });

  it("does not let escapes, unicode or length reach the label", () => {
    expect(routeLabel(table, "/users/%2e%2e%2fadmin")).toBe("/users/[id]");
    expect(routeLabel(table, "/%75sers")).toBe(OTHER_ROUTE);
    expect(routeLabel(table, "/users/日本語😀")).toBe("/users/[id]");
    expect(routeLabel(table, `/users/${"a".repeat(100_000)}`)).toBe(OTHER_ROUTE);
    expect(routeLabel(table, `/docs${"/x".repeat(5_000)}`)).toBe(OTHER_ROUTE);
    expect(routeLabel(table, "/users/%ZZ")).toBe("/users/[id]");
  });

  it("answers a pattern of the table or other for any input", () => {
    const labels = new Set([OTHER_ROUTE, ...PATTERNS, "/_next/static"]);
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 300 }), (input) => {
        expect(labels.has(routeLabel(table, input))).toBe(true);
        expect(labels.has(routeLabel(table, `/${input}`))).toBe(true);
      }),
    );
  });
});

describe("Keyward's route table", () => {
  const appDir = path.join(import.meta.dirname, "..", "..", "app");

  it("reads app/: groups are not in the URL, dynamic segments are patterns", () => {
    const patterns = appRoutePatterns(appDir);
    expect(patterns).toContain("/users/[id]");
    expect(patterns).toContain("/api/v1/users/[userId]");
    expect(patterns).toContain("/api/auth/[...nextauth]");
    expect(patterns.some((pattern) => pattern.includes("(") || pattern.includes("@"))).toBe(false);
  });

  it("labels real requests by their route, the provider's and Next's files included", () => {
    const routes = keywardRouteTable(appDir);
    expect(routeLabel(routes, "/api/v1/users/usr_abc")).toBe("/api/v1/users/[userId]");
    expect(routeLabel(routes, "/api/v1/me")).toBe("/api/v1/me");
    expect(routeLabel(routes, "/oidc/auth/Xy_12-ab")).toBe("/oidc/auth/[uid]");
    expect(routeLabel(routes, "/.well-known/jwks.json")).toBe("/.well-known/jwks.json");
    expect(routeLabel(routes, "/_next/static/chunks/app/page-0123.js")).toBe("/_next/static");
    expect(routeLabel(routes, "/api/ready")).toBe("/api/ready");
    expect(routeLabel(routes, "/login")).toBe("/login");
    expect(routeLabel(routes, "/.env")).toBe(OTHER_ROUTE);
  });
});
