import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import type { Browser, BrowserContextOptions } from "@playwright/test";

import { SYSTEM_CONTEXT } from "../lib/auth/principal.ts";
import { addPermission, updatePermission } from "../lib/apis/api-permissions.ts";
import { createApi } from "../lib/apis/manage-apis.ts";
import { createAppSchema } from "../lib/apps/app-schemas.ts";
import { createApp } from "../lib/apps/manage-apps.ts";
import { createSession, resolveSession } from "../lib/auth/sessions.ts";
import { createClient } from "../lib/clients/manage-clients.ts";
import { db } from "../lib/db/client.ts";
import { createRole } from "../lib/roles/manage-role.ts";
import { mintToken } from "../lib/tokens/mint-token.ts";
import { OidcAdapter } from "../lib/oidc/adapter.ts";
import { axeViolations } from "./axe";
import { exampleApp, stopExampleApps } from "./example-process";
import { createTestUser, expect, signIn, type TestUser, test } from "./fixtures";

// Guarantee: every page of the app, signed out and signed in, passes axe-core's WCAG 2.1 A and AA
// rules in light mode, in dark mode and at a phone's width. The list below is checked against the
// app folder, so a new page that is not in it fails this spec until it is.

type Seeded = {
  admin: TestUser;
  member: TestUser;
  roleId: string;
  clientId: string;
  eventId: string;
  apiId: string;
  appId: string;
};
type Visit = {
  /** The route as its file declares it: "/users/[id]", or "(not-found)" for app/not-found.tsx. */
  route: string;
  as: "signed-out" | "admin" | "member";
  path: (seeded: Seeded) => string;
  status?: number;
};

const PAGES: Visit[] = [
  { route: "/login", as: "signed-out", path: () => "/login" },
  { route: "/forgot-password", as: "signed-out", path: () => "/forgot-password" },
  // One-time links carry their secret in the fragment; a bogus one shows the form.
  { route: "/reset-password", as: "signed-out", path: () => "/reset-password#not-a-real-code" },
  { route: "/accept-invitation", as: "signed-out", path: () => "/accept-invitation#not-a-real-code" },
  { route: "/verify-email", as: "signed-out", path: () => "/verify-email#not-a-real-code" },
  { route: "(not-found)", as: "signed-out", path: () => "/no-such-page", status: 404 },
  { route: "/account", as: "admin", path: () => "/account" },
  { route: "/account/security", as: "admin", path: () => "/account/security" },
  // The admin has a connected app (seeded below); the member has none: the empty state.
  { route: "/account/apps", as: "admin", path: () => "/account/apps" },
  { route: "/account/apps", as: "member", path: () => "/account/apps" },
  { route: "/api-docs", as: "admin", path: () => "/api-docs" },
  { route: "/audit", as: "admin", path: () => "/audit" },
  { route: "/audit/[id]", as: "admin", path: (s) => `/audit/${s.eventId}` },
  { route: "/clients", as: "admin", path: () => "/clients" },
  { route: "/clients/new", as: "admin", path: () => "/clients/new" },
  { route: "/clients/[id]", as: "admin", path: (s) => `/clients/${s.clientId}` },
  { route: "/roles", as: "admin", path: () => "/roles" },
  { route: "/roles/new", as: "admin", path: () => "/roles/new" },
  { route: "/roles/[id]", as: "admin", path: (s) => `/roles/${s.roleId}` },
  { route: "/roles/matrix", as: "admin", path: () => "/roles/matrix" },
  { route: "/settings", as: "admin", path: () => "/settings" },
  // The security overview (issue 17): its cards and charts, a list with remedies, accepted risks.
  { route: "/overview", as: "admin", path: () => "/overview" },
  { route: "/overview/risks/[risk]", as: "admin", path: () => "/overview/risks/clients.no_expiry" },
  { route: "/overview/accepted", as: "admin", path: () => "/overview/accepted?includeEnded=true" },
  { route: "/tokens", as: "admin", path: () => "/tokens" },
  { route: "/users", as: "admin", path: () => "/users" },
  { route: "/users/invite", as: "admin", path: () => "/users/invite" },
  { route: "/users/[id]", as: "admin", path: (s) => `/users/${s.member.id}` },
  // The 404 page inside the signed-in app as well.
  { route: "(not-found)", as: "admin", path: () => "/users/usr_doesnotexist0000", status: 404 },
  { route: "(forbidden)", as: "member", path: () => "/users", status: 403 },
  { route: "/apis", as: "admin", path: () => "/apis" },
  { route: "/apis/new", as: "admin", path: () => "/apis/new" },
  { route: "/apis/[id]", as: "admin", path: (s) => `/apis/${s.apiId}` },
  { route: "/apps", as: "admin", path: () => "/apps" },
  { route: "/apps/new", as: "admin", path: () => "/apps/new" },
  { route: "/apps/[id]", as: "admin", path: (s) => `/apps/${s.appId}` },
  // Any uid: the page says the sign-in cannot go on, whatever it was.
  {
    route: "/interaction/[uid]/expired",
    as: "signed-out",
    path: () => "/interaction/no-such-sign-in/expired",
  },
];

/** Pages only an app's sign-in leads to (a live interaction): visited by their own step below. */
const VIA_AN_APP = ["/interaction/[uid]/consent", "/interaction/[uid]/denied", "/interaction/[uid]/confirm"];

/** Example apps to sign in to (examples/sso-app), started once for all modes. */
let examples: Promise<{ thirdParty: string; restricted: string; firstParty: string }> | undefined;
function exampleApps() {
  examples ??= (async () => {
    const role = await db.role.create({
      data: { id: `rol_a11y${Date.now()}`, name: `A11y app role ${Date.now()}` },
    });
    const [thirdParty, restricted, firstParty] = await Promise.all([
      exampleApp({
        name: `A11y partner ${role.id}`,
        firstParty: false,
        homepageUrl: "https://partner.example.com/",
        logoUrl: "https://partner.example.com/logo.png",
      }),
      exampleApp({
        name: `A11y payroll ${role.id}`,
        firstParty: true,
        restrictedToRoles: true,
        signInRoleIds: [role.id],
      }),
      exampleApp({ name: `A11y intranet ${role.id}`, firstParty: true }),
    ]);
    return { thirdParty: thirdParty.url, restricted: restricted.url, firstParty: firstParty.url };
  })();
  return examples;
}
test.afterAll(stopExampleApps);

/** Pages no visit above reaches, each with the reason. */
const NOT_VISITED: Record<string, string> = {
  "/setup": "open only before the first run: e2e/first-run.setup.ts runs axe on it",
  "/": "only redirects (to /login, or to the landing page), both checked",
};

const MODES: { name: string; options: BrowserContextOptions }[] = [
  { name: "light", options: { colorScheme: "light", viewport: { width: 1280, height: 720 } } },
  { name: "dark", options: { colorScheme: "dark", viewport: { width: 1280, height: 720 } } },
  {
    name: "phone",
    options: { colorScheme: "light", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  },
];

const APP = path.join(import.meta.dirname, "..", "app");
const SPECIAL = ["not-found", "forbidden", "unauthorized", "error", "global-error"];

/** Every page file under app/, as its route: route groups dropped, special files in parentheses. */
function routesInApp(dir = APP): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.isDirectory()) return entry.name === "api" ? [] : routesInApp(path.join(dir, entry.name));
    const base = entry.name.replace(/\.tsx?$/, "");
    const segments = path
      .relative(APP, dir)
      .split(path.sep)
      .filter((segment) => segment && !/^\(.*\)$/.test(segment));
    const route = `/${segments.join("/")}`;
    if (base === "page") return [route];
    if (SPECIAL.includes(base)) return [segments.length ? `${route} (${base})` : `(${base})`];
    return [];
  });
}

test("the accessibility pass covers every page of the app", () => {
  const listed = new Set([...PAGES.map((visit) => visit.route), ...Object.keys(NOT_VISITED), ...VIA_AN_APP]);
  const missing = routesInApp().filter((route) => !listed.has(route));
  expect(missing, "pages with no accessibility check: add them to PAGES in this file").toEqual([]);
  const stale = [...listed].filter((route) => !routesInApp().includes(route));
  expect(stale, "routes listed here that no longer exist").toEqual([]);
});

/** An administrator's and a member's data for the detail pages, made through the domain functions. */
async function seed(label: string): Promise<Seeded> {
  const admin = await createTestUser({ roles: ["admin"], label: `a11y-${label}-admin` });
  const member = await createTestUser({ roles: ["member"], label: `a11y-${label}-member` });
  // Someone with no role yet, so the users list shows its "None".
  await createTestUser({ label: `a11y-${label}-newcomer` });
  const session = await db.$transaction((tx) =>
    createSession(tx, { userId: admin.id, amr: ["pwd"], mfa: false, context: SYSTEM_CONTEXT }),
  );
  const actor = await resolveSession(session.id);
  if (!actor) throw new Error("the seeding session did not resolve");
  const role = await createRole({
    actor,
    context: SYSTEM_CONTEXT,
    name: `Reviewers ${member.name}`,
    description: "Reads the audit log.",
    permissions: ["audit.read"],
    requiresMfa: false,
  });
  const client = await createClient({
    actor,
    context: SYSTEM_CONTEXT,
    name: `Reporting ${member.name}`,
    description: "Exports the audit log nightly.",
    scopes: ["audit.read"],
  });
  await mintToken({
    actor,
    context: SYSTEM_CONTEXT,
    name: "Laptop CLI",
    scopes: ["users.read"],
    expiration: "30",
  });
  const event = await db.auditEvent.findFirstOrThrow({
    where: { action: "client.created", targetId: client.clientId },
  });
  const ordersIdentifier = `https://orders-${member.id.toLowerCase()}.example.test/`;
  // An API with a permission nobody is granted and a deprecated one: the page's callout and badges.
  const api = await createApi({
    actor,
    context: SYSTEM_CONTEXT,
    input: {
      name: `Orders API ${member.name}`,
      identifier: ordersIdentifier,
      description: "Orders and their lines.",
      accessTokenTtlSeconds: 900,
      allowPersonalTokens: true,
    },
  });
  const readPermission = await addPermission({
    actor,
    context: SYSTEM_CONTEXT,
    apiId: api.id,
    input: { name: "orders.read", description: "Read orders" },
  });
  const retired = await addPermission({
    actor,
    context: SYSTEM_CONTEXT,
    apiId: api.id,
    input: { name: "orders.export", description: "Export orders" },
  });
  await updatePermission({
    actor,
    context: SYSTEM_CONTEXT,
    apiId: api.id,
    permissionId: retired.id,
    input: { deprecated: true },
  });
  // A web app restricted to the role, asking for orders.read: the page's secret, roles and permissions.
  const app = await createApp({
    actor,
    context: SYSTEM_CONTEXT,
    input: createAppSchema.parse({
      kind: "web",
      name: `Orders portal ${member.name}`,
      redirectUris: ["https://portal.example.test/callback"],
      restrictedToRoles: true,
      signInRoleIds: [role.id],
      apiPermissionIds: [readPermission.id],
    }),
  });
  // The admin signed in to that app and allowed it (a grant, as the provider stores one, with a
  // refresh token): Connected apps lists it with what it may do.
  const grantId = `a11y-grant-${randomBytes(8).toString("hex")}`;
  await new OidcAdapter("Grant").upsert(
    grantId,
    {
      accountId: admin.id,
      clientId: app.id,
      kind: "Grant",
      openid: { scope: "openid profile email" },
      resources: { [ordersIdentifier]: "orders.read" },
    },
    3600,
  );
  await new OidcAdapter("RefreshToken").upsert(
    randomBytes(32).toString("base64url"),
    { accountId: admin.id, clientId: app.id, grantId, kind: "RefreshToken" },
    3600,
  );
  return {
    admin,
    member,
    roleId: role.id,
    clientId: client.clientId,
    eventId: event.id.toString(),
    apiId: api.id,
    appId: app.id,
  };
}

async function signedInContext(browser: Browser, options: BrowserContextOptions, user: TestUser) {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  await page.goto("/login");
  await signIn(page, user);
  return context;
}

for (const mode of MODES) {
  test(`every page passes axe (WCAG 2.1 AA) in ${mode.name} mode`, async ({ browser, baseURL }) => {
    test.setTimeout(300_000);
    const options = { ...mode.options, baseURL };
    const seeded = await seed(mode.name);
    const contexts = {
      "signed-out": await browser.newContext(options),
      admin: await signedInContext(browser, options, seeded.admin),
      member: await signedInContext(browser, options, seeded.member),
    };
    try {
      for (const visit of PAGES) {
        const target = visit.path(seeded);
        await test.step(`${visit.as} ${target}`, async () => {
          const page = await contexts[visit.as].newPage();
          const response = await page.goto(target);
          expect(response?.status(), `${target} answered`).toBe(visit.status ?? 200);
          // Landed where asked (not sent to sign in), and the client components have hydrated.
          expect(new URL(page.url()).pathname).toBe(new URL(target, baseURL).pathname);
          await page.waitForLoadState("networkidle");
          expect.soft(await axeViolations(page), `axe on ${target} (${visit.as}, ${mode.name})`).toEqual([]);
          await page.close();
        });
      }
      // An app's sign-in: its consent, its refusal, and its fresh sign-in (the dialog open).
      await test.step("the pages an app's sign-in leads to", async () => {
        const apps = await exampleApps();
        const page = await contexts.admin.newPage();
        const visits: [string, RegExp][] = [
          [`${apps.thirdParty}/login`, /^Allow .* to use your account\?$/],
          [`${apps.restricted}/login`, /^You can't sign in to /],
          [`${apps.firstParty}/login?prompt=login`, /^Confirm it is you$/],
        ];
        for (const [start, heading] of visits) {
          await page.goto(start);
          await expect(page.getByRole("heading", { name: heading, level: 1 })).toBeVisible();
          await page.waitForLoadState("networkidle");
          expect
            .soft(await axeViolations(page), `axe on ${new URL(page.url()).pathname} (${mode.name})`)
            .toEqual([]);
        }
        await page.close();
      });
      // The shell's dialogs, open: the command palette with results, and on a phone the menu.
      await test.step("the command palette, open with results", async () => {
        const page = await contexts.admin.newPage();
        await page.goto("/account");
        await page.waitForLoadState("networkidle");
        await page.getByRole("button", { name: "Search" }).click();
        const palette = page.getByRole("dialog", { name: "Search" });
        await palette.getByRole("combobox").fill(seeded.member.name.slice(0, 6));
        await expect(palette.getByRole("option").first()).toBeVisible();
        expect.soft(await axeViolations(page), `axe on the open palette (${mode.name})`).toEqual([]);
        await page.close();
      });
      if (mode.name === "phone") {
        await test.step("the phone menu, open", async () => {
          const page = await contexts.admin.newPage();
          await page.goto("/account");
          await page.waitForLoadState("networkidle");
          await page.getByRole("button", { name: "Menu" }).click();
          await expect(page.getByRole("dialog")).toBeVisible();
          expect.soft(await axeViolations(page), "axe on the open phone menu").toEqual([]);
          await page.close();
        });
      }
    } finally {
      for (const context of Object.values(contexts)) await context.close();
    }
  });
}
