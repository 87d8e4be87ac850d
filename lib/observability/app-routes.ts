import fs from "node:fs";
import path from "node:path";

import { routeTable, type RouteTable } from "./route-label.ts";

/**
 * The routes Keyward answers, for the `route` label: every page and route handler under app/ (read
 * once at start: the folders are the routes), the OpenID provider's paths that scripts/server.js
 * hands to oidc-provider (lib/oidc/mount.ts), the JWKS rewrite and /metrics.
 */
const SERVER_ROUTES = [
  "/metrics",
  "/.well-known/jwks.json",
  "/.well-known/openid-configuration",
  "/.well-known/oauth-authorization-server",
  "/oidc/auth",
  "/oidc/auth/[uid]",
  "/oidc/me",
  "/oidc/session/end",
  "/oidc/session/end/confirm",
  "/oidc/session/end/success",
];

/** Next's own files: one label each, whatever the hashed file name. */
const PREFIXES = [
  ["/_next/static/", "/_next/static"],
  ["/_next/image", "/_next/image"],
  ["/_next/", "/_next"],
] as const;

const ENTRY = /^(page|route)\.(tsx?|jsx?)$/;
/** Metadata files Next serves at the root of their folder (favicon.ico, icon.png, robots.txt, …). */
const METADATA =
  /^(favicon\.ico|(icon|apple-icon|opengraph-image)\.\w+|robots\.txt|sitemap\.xml|manifest\.json)$/;

/** Route patterns of an app/ folder: groups "(x)" and slots "@x" are not part of the URL. */
export function appRoutePatterns(appDir: string): string[] {
  const patterns: string[] = [];
  const walk = (dir: string, segments: readonly string[]) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        // Private folders ("_x") are not routes.
        if (entry.name.startsWith("_") || entry.name === "node_modules") continue;
        const inUrl = !/^\(.*\)$/.test(entry.name) && !entry.name.startsWith("@");
        walk(path.join(dir, entry.name), inUrl ? [...segments, entry.name] : segments);
      } else if (ENTRY.test(entry.name)) {
        patterns.push(`/${segments.join("/")}`);
      } else if (METADATA.test(entry.name)) {
        patterns.push(`/${[...segments, entry.name].join("/")}`);
      }
    }
  };
  walk(appDir, []);
  return [...new Set(patterns)].sort();
}

export function keywardRouteTable(appDir = path.join(process.cwd(), "app")): RouteTable {
  return routeTable([...appRoutePatterns(appDir), ...SERVER_ROUTES], PREFIXES);
}
