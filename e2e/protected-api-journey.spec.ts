import { randomBytes } from "node:crypto";

import type { Browser, Page } from "@playwright/test";

import { credentialsChanged } from "../lib/credentials/change-feed.ts";
import { db } from "../lib/db/client.ts";
import { builtInRoleId } from "../lib/roles/ensure-built-in-roles.ts";
import { createTestUser, expect, openUserFromList, signIn, test } from "./fixtures";
import { callOrders, type OrdersApiProcess, startOrdersApi } from "./orders-api-process";

// Journey (issue 14, "Protected APIs"): an admin registers the Orders API with orders.read and
// orders.write, gives its servers a resource-server credential and adds orders.read to the
// Developer role; a developer mints a personal token for it, and the example API (a separate
// process, introspecting) answers 200 for reading and 403 for writing; once the admin removes the
// role from the developer, the same call is refused.

const unique = randomBytes(3).toString("hex");
const apiName = `Orders API ${unique}`;
const identifier = `https://orders-journey-${unique}.example.test/`;
let ordersApi: OrdersApiProcess | undefined;

// The built-in Developer role is shared with the specs running beside this one: it must not keep
// this API's permission (assigning a role needs its other APIs' permissions too), whatever happened.
test.afterAll(async () => {
  ordersApi?.stop();
  const developerRoleId = await builtInRoleId(db, "developer");
  await db.$transaction(async (tx) => {
    await tx.rolePermission.deleteMany({
      where: { roleId: developerRoleId, permission: { api: { identifier } } },
    });
    await credentialsChanged(tx, ["*"]);
  });
});

async function signedIn(browser: Browser, user: { email: string; password: string }) {
  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  await signIn(page, user);
  return page;
}

const nav = (page: Page) => page.getByRole("navigation", { name: "Main" });

test("an admin protects the Orders API; a developer's token reads it, cannot write, and stops when the role goes", async ({
  browser,
}) => {
  const admin = await createTestUser({ roles: ["admin"], label: "orders-admin" });
  const developer = await createTestUser({ roles: ["developer"], label: "orders-dev" });
  const adminPage = await signedIn(browser, admin);

  // The admin registers the API and its two permissions.
  await nav(adminPage).getByRole("link", { name: "APIs", exact: true }).click();
  await adminPage.getByRole("link", { name: "Register an API" }).first().click();
  const register = adminPage.getByRole("form", { name: "Register an API" });
  await register.getByLabel("Name").fill(apiName);
  await register.getByLabel("Identifier").fill(identifier);
  await register.getByLabel("Description").fill("Orders and their lines.");
  await register.getByRole("button", { name: "Register API" }).click();
  await expect(adminPage.getByRole("heading", { name: apiName, level: 1 })).toBeVisible();
  const apiPath = new URL(adminPage.url()).pathname;
  const add = adminPage.getByRole("form", { name: "Add a permission" });
  for (const [permission, description] of [
    ["orders.read", "Read orders"],
    ["orders.write", "Create and change orders"],
  ] as const) {
    await add.getByLabel("Name").fill(permission);
    await add.getByLabel("Description").fill(description);
    await add.getByRole("button", { name: "Add permission" }).click();
    await expect(
      adminPage
        .getByRole("table", { name: "Permissions", exact: true })
        .getByRole("row", { name: new RegExp(permission.replace(".", "\\.")) }),
    ).toBeVisible();
  }

  // A resource-server credential for the API's servers: its secret is shown once, copied from here.
  const credentialForm = adminPage.getByRole("form", {
    name: `New resource-server credential for ${apiName}`,
  });
  await credentialForm.getByLabel("Name").fill("orders-api journey");
  await credentialForm.getByRole("button", { name: "Create credential" }).click();
  const secretLabel = credentialForm.getByText(/^Client secret of /);
  await expect(secretLabel).toBeVisible();
  const rsClientId = ((await secretLabel.textContent()) ?? "").replace(/^Client secret of /, "").trim();
  const rsClientSecret = await credentialForm.getByLabel(`Client secret of ${rsClientId}`).inputValue();
  expect(rsClientId).toMatch(/^rs_/);
  expect(rsClientSecret).toMatch(/^kw_rs_/);

  // The Developer role grants the API's orders.read, chosen in the role editor's picker.
  await nav(adminPage).getByRole("link", { name: "Roles", exact: true }).click();
  await adminPage.getByRole("link", { name: "Developer", exact: true }).click();
  await expect(adminPage.getByRole("heading", { name: "Developer", level: 1 })).toBeVisible();
  const picker = adminPage.getByRole("group", { name: "Permissions of other APIs" });
  await picker.getByRole("searchbox", { name: "Search APIs and permissions" }).fill(apiName);
  const rolePick = picker.getByRole("group", { name: new RegExp(apiName) });
  await rolePick.getByRole("checkbox", { name: /orders\.read/ }).check();
  await expect(rolePick.getByRole("checkbox", { name: /orders\.write/ })).not.toBeChecked();
  await adminPage.getByRole("button", { name: "Save role" }).click();
  await expect(adminPage.getByRole("status").filter({ hasText: "Role saved." })).toBeVisible();

  // The API's servers run with that audience and credential.
  ordersApi = await startOrdersApi({
    audience: identifier,
    clientId: rsClientId,
    clientSecret: rsClientSecret,
  });
  const url = ordersApi.url;

  // The developer mints a personal token carrying the Orders API's orders.read.
  const devPage = await signedIn(browser, developer);
  await nav(devPage).getByRole("link", { name: "Tokens", exact: true }).click();
  const mint = devPage.getByRole("form", { name: "New token" });
  await mint.getByLabel("Name").fill("Orders report");
  const tokenPicker = mint.getByRole("group", { name: /Permissions of other APIs/ });
  await tokenPicker.getByRole("searchbox", { name: "Search APIs and permissions" }).fill(apiName);
  const tokenPick = tokenPicker.getByRole("group", { name: new RegExp(apiName) });
  await tokenPick.getByRole("checkbox", { name: /orders\.read/ }).check();
  await mint.getByRole("button", { name: "Create token" }).click();
  const token = await devPage.getByLabel("Your new token").inputValue();
  expect(token).toMatch(/^kw_pat_/);

  // Reading is allowed; writing is the API's to refuse (RFC 6750 §3.1).
  expect(await callOrders(url, "GET", token)).toEqual({ status: 200, challenge: "" });
  expect(await callOrders(url, "POST", token)).toEqual({
    status: 403,
    challenge: 'Bearer realm="orders", error="insufficient_scope", scope="orders.write"',
  });

  // The API's page lists the token among the credentials holding its permissions, with its last
  // use there: the introspections just now (written in batches, so reloaded until it shows).
  await expect(async () => {
    await adminPage.goto(apiPath);
    const held = adminPage
      .getByRole("table", { name: `Credentials holding permissions of ${apiName}` })
      .getByRole("row", { name: /Orders report/ });
    await expect(held).toContainText(developer.email, { timeout: 1_000 });
    await expect(held).toContainText("orders.read", { timeout: 1_000 });
    await expect(held.getByRole("cell").last()).toContainText("UTC", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });

  // The admin takes the Developer role from the developer, on their page, confirming it.
  await openUserFromList(adminPage, developer);
  await adminPage
    .getByRole("form", { name: "Remove Developer" })
    .getByRole("button", { name: "Remove", exact: true })
    .click();
  await adminPage
    .getByRole("dialog", { name: `Remove Developer from ${developer.email}?` })
    .getByRole("button", { name: "Remove Developer" })
    .click();
  await expect(adminPage.getByRole("status").filter({ hasText: "Role removed." })).toBeVisible();

  // The token no longer carries an Orders API permission: introspection answers inactive, and the
  // API treats it as no token of its own. (Keyward's caches hear of the change by NOTIFY, a few
  // milliseconds after the commit, hence the poll.)
  await expect.poll(async () => (await callOrders(url, "GET", token)).status, { timeout: 5_000 }).toBe(401);
  expect(await callOrders(url, "GET", token)).toEqual({
    status: 401,
    challenge: 'Bearer realm="orders", error="invalid_token"',
  });
});
