import { randomBytes } from "node:crypto";

import { newId } from "../lib/crypto/ids.ts";
import { db } from "../lib/db/client.ts";
import { createTestUser, expect, signIn, test } from "./fixtures";

// Journey: an administrator registers the organization's Orders API, builds its permission
// catalog (added by hand, deprecated, removed with the confirmation naming what held it, imported
// from JSON), finds the snippets a developer copies to call and verify it, then disables,
// enables and deletes it.
test("an admin registers an API, manages its permissions, finds how to use it, then disables and deletes it", async ({
  page,
}) => {
  const admin = await createTestUser({ roles: ["admin"], label: "apis-admin" });
  const unique = randomBytes(3).toString("hex");
  const name = `Orders API ${unique}`;
  const identifier = `https://orders-${unique}.example.test/`;
  await page.goto("/login");
  await signIn(page, admin);

  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "APIs", exact: true })
    .click();
  await expect(page.getByRole("heading", { name: "APIs", level: 1 })).toBeVisible();
  // Keyward's own API is the first entry of the inventory, built in.
  await expect(page.getByRole("row", { name: /Keyward admin API/ })).toContainText("Built-in");
  // It is shown read-only: its permissions follow the code.
  await page.getByRole("link", { name: "Keyward admin API" }).click();
  await expect(page.getByRole("heading", { name: "Keyward admin API", level: 1 })).toBeVisible();
  await expect(
    page.getByRole("table", { name: "Permissions", exact: true }).getByRole("row", { name: /users\.read/ }),
  ).toBeVisible();
  await expect(page.getByRole("heading", { name: "Edit" })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Add a permission" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Deprecate" })).toHaveCount(0);
  await page.goBack();
  await page.getByRole("link", { name: "Register an API" }).first().click();

  const form = page.getByRole("form", { name: "Register an API" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Identifier").fill(identifier);
  await form.getByLabel("Description").fill("Orders and their lines.");
  await expect(form.getByLabel("Owner")).toHaveValue(admin.email);
  await expect(form.getByLabel("Access-token lifetime")).toHaveValue("900");
  await expect(form.getByLabel("Allow personal tokens")).toBeChecked();
  await form.getByRole("button", { name: "Register API" }).click();

  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page).toHaveTitle(`${name} · APIs · Keyward`);
  await expect(page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("listitem")).toHaveText([
    /APIs/,
    new RegExp(name),
  ]);
  await expect(page.getByText("No permissions yet")).toBeVisible();

  const add = page.getByRole("form", { name: "Add a permission" });
  for (const [permission, description] of [
    ["orders.read", "Read orders"],
    ["orders.write", "Create and change orders"],
  ] as const) {
    await add.getByLabel("Name").fill(permission);
    await add.getByLabel("Description").fill(description);
    await add.getByRole("button", { name: "Add permission" }).click();
    await expect(page.getByRole("row", { name: new RegExp(permission.replace(".", "\\.")) })).toBeVisible();
  }
  // Nothing grants them yet, and the page says so.
  const callout = page.getByRole("note", { name: "Permissions no role grants" });
  await expect(callout).toContainText("orders.read, orders.write");

  // A second permission with the same name is refused, under its field.
  await add.getByLabel("Name").fill("orders.read");
  await add.getByRole("button", { name: "Add permission" }).click();
  await expect(add.getByRole("alert")).toContainText("already has a permission named orders.read");

  // A role grants orders.write (made here as data: the role editor is another journey's).
  const roleName = `Order writers ${unique}`;
  const write = await db.apiPermission.findFirstOrThrow({ where: { name: "orders.write", api: { name } } });
  await db.role.create({
    data: { id: newId("rol"), name: roleName, grants: { create: { permissionId: write.id } } },
  });
  await page.reload();
  const writeRow = page.getByRole("row", { name: /orders\.write/ });
  await expect(writeRow.getByRole("link", { name: roleName })).toBeVisible();
  await expect(callout).toContainText("orders.read");
  await expect(callout).not.toContainText("orders.write");

  // Deprecate orders.write, then remove it: the server names what holds it before it is taken.
  await writeRow.getByRole("button", { name: "Deprecate" }).click();
  await expect(writeRow).toContainText("Deprecated");
  await writeRow.getByRole("button", { name: "Remove", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Remove orders.write?" });
  await expect(dialog).toContainText(`still held by role ${roleName}`);
  await dialog.getByRole("button", { name: "Remove permission" }).click();
  const second = page.getByRole("form", { name: "Remove orders.write: confirm" });
  await expect(second.getByRole("alert")).toContainText(`role ${roleName}`);
  await expect(writeRow).toBeVisible();
  await second.getByRole("button", { name: "Remove orders.write from them" }).click();
  await expect(page.getByRole("row", { name: /orders\.write/ })).toHaveCount(0);
  expect(await db.rolePermission.count({ where: { permissionId: write.id } })).toBe(0);

  // Import the catalog from JSON: orders.write comes back, orders.read is already there.
  const importForm = page.getByRole("form", { name: "Import permissions" });
  await importForm.getByLabel("JSON or OpenAPI document").fill(
    JSON.stringify({
      permissions: [
        { name: "orders.read", description: "Read orders" },
        { name: "orders.write", description: "Create and change orders" },
        { name: "orders.refund", description: "Refund an order" },
      ],
    }),
  );
  await importForm.getByRole("button", { name: "Import" }).click();
  const summary = importForm.getByRole("status").filter({ hasText: "Import done" });
  await expect(summary).toContainText("Added2");
  await expect(summary).toContainText("Already there, unchanged1");
  await expect(page.getByRole("row", { name: /orders\.refund/ })).toBeVisible();

  // The snippets for this API: a token by client credentials for this resource, and jose.
  const use = page.getByRole("region", { name: "Use this API" });
  const origin = new URL(page.url()).origin;
  await expect(use.getByRole("figure", { name: "Get a token (curl)" })).toContainText(
    `resource='${identifier}'`,
  );
  const verify = use.getByRole("figure", { name: "Verify a token in Node.js (jose)" });
  await expect(verify).toContainText(`createRemoteJWKSet(new URL("${origin}/.well-known/jwks.json"))`);
  await expect(verify).toContainText(`audience: "${identifier}"`);
  await expect(verify).toContainText('typ: "at+jwt"');
  await expect(use.getByRole("figure", { name: /Introspect a token/ })).toContainText(
    `${origin}/api/oauth/introspect`,
  );

  // Its events are on its page.
  const activity = page.getByRole("region", { name: "Activity" });
  await expect(activity).toContainText("api_permissions.imported");
  await expect(activity).toContainText("api_permission.removed");
  await expect(activity).toContainText("api.created");

  // The export is the import's format.
  const exported = await page.request.get(
    (await page.getByRole("link", { name: "Export JSON" }).getAttribute("href")) ?? "",
  );
  expect(exported.status(), await exported.text()).toBe(200);
  expect(await exported.json()).toMatchObject({
    api: { name, identifier },
    permissions: [{ name: "orders.read" }, { name: "orders.refund" }, { name: "orders.write" }],
  });

  // In the inventory, with its permission count and no credential holding them yet.
  await page.getByRole("navigation", { name: "Breadcrumb" }).getByRole("link", { name: "APIs" }).click();
  await page.getByLabel("Name or identifier").fill(unique);
  await page.getByRole("search", { name: "Search APIs" }).getByRole("button", { name: "Search" }).click();
  const listed = page.getByRole("row", { name: new RegExp(name) });
  await expect(listed).toContainText(identifier);
  await expect(listed).toContainText("Active");
  await expect(listed.getByRole("cell").nth(4)).toHaveText("3");
  await expect(listed.getByRole("cell").nth(5)).toHaveText("0");

  // Disabled after its confirmation, enabled again, then deleted: gone from the inventory.
  await listed.getByRole("link", { name }).click();
  await page.getByRole("button", { name: "Disable", exact: true }).click();
  await page
    .getByRole("dialog", { name: `Disable ${name}?` })
    .getByRole("button", { name: "Disable API" })
    .click();
  await expect(page.getByRole("button", { name: "Enable", exact: true })).toBeVisible();
  await expect(page.getByRole("main").getByText("Disabled", { exact: true }).first()).toBeVisible();
  await page.getByRole("button", { name: "Enable", exact: true }).click();
  await expect(page.getByRole("button", { name: "Disable", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page
    .getByRole("dialog", { name: `Delete ${name}?` })
    .getByRole("button", { name: "Delete API" })
    .click();
  await page.waitForURL((url) => url.pathname === "/apis");
  await expect(page.getByRole("link", { name })).toHaveCount(0);
});

// Guarantee: a Member (no apis.read) has no APIs entry in the navigation and meets the forbidden
// page at the inventory; an API they own is still theirs to open and edit from its link.
test("a member does not see APIs, is refused the inventory, and edits the API they own", async ({ page }) => {
  const member = await createTestUser({ roles: ["member"], label: "apis-member" });
  await page.goto("/login");
  await signIn(page, member);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "APIs", exact: true }),
  ).toHaveCount(0);
  const response = await page.goto("/apis");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();

  // Someone else's API is not there for them; their own is, from its link, and theirs to edit.
  const suffix = randomBytes(3).toString("hex");
  const others = await db.api.create({
    data: {
      id: newId("api"),
      name: `Billing API ${suffix}`,
      identifier: `https://billing-${suffix}.example.test/`,
    },
  });
  expect((await page.goto(`/apis/${others.id}`))?.status()).toBe(404);
  const own = await db.api.create({
    data: {
      id: newId("api"),
      name: `Member's API ${suffix}`,
      identifier: `https://mine-${suffix}.example.test/`,
      ownerId: member.id,
    },
  });
  expect((await page.goto(`/apis/${own.id}`))?.status()).toBe(200);
  await expect(page.getByRole("heading", { name: own.name, level: 1 })).toBeVisible();
  const edit = page.getByRole("form", { name: `Edit ${own.name}` });
  await edit.getByLabel("Description").fill("Mine to describe");
  await edit.getByRole("button", { name: "Save API" }).click();
  await expect(page.getByText("Mine to describe").first()).toBeVisible();
});
