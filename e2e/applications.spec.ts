import { randomBytes } from "node:crypto";

import { createTestUser, expect, signIn, test } from "./fixtures";

// Journey (issue 15 §1): an administrator registers the organization's web app, copies its client
// ID and the secret shown once, is told in the form's words what a redirect URI may be, restricts
// sign-in to a role, rotates the secret with an overlap, then disables and deletes the app. A
// member neither sees Applications nor opens them.
test("an admin registers a web app, fixes a refused redirect URI, restricts it, rotates its secret and deletes it", async ({
  page,
}) => {
  const admin = await createTestUser({ roles: ["admin"], label: "apps-admin" });
  const name = `Orders portal ${randomBytes(3).toString("hex")}`;
  await page.goto("/login");
  await signIn(page, admin);

  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Applications", exact: true })
    .click();
  await expect(page.getByRole("heading", { name: "Applications", level: 1 })).toBeVisible();
  await page.getByRole("link", { name: "Register an application" }).first().click();

  const form = page.getByRole("form", { name: "Register an application" });
  await expect(form.getByRole("radio", { name: /Web app/ })).toBeChecked();
  await form.getByLabel("Name", { exact: true }).fill(name);
  // A plain-http URI on a public host is refused, with the rule, on its line.
  await form
    .getByLabel("Redirect URIs", { exact: true })
    .fill("https://portal.example.test/callback\nhttp://portal.example.test/cb");
  await form.getByRole("button", { name: "Register application" }).click();
  await expect(form.getByText("Line 2: Use https://")).toBeVisible();
  await form.getByLabel("Name", { exact: true }).fill(name);
  await form.getByLabel("Redirect URIs", { exact: true }).fill("https://portal.example.test/callback");
  await form.getByRole("button", { name: "Register application" }).click();

  // The client ID, and the secret once.
  await expect(form.getByRole("textbox", { name: "Client ID", exact: true })).toHaveValue(/^app_/);
  const secret = await form.getByRole("textbox", { name: "Client secret", exact: true }).inputValue();
  expect(secret).toMatch(/^kw_as_/);
  await form.getByRole("link", { name: "Open the application" }).click();
  await expect(page.getByRole("heading", { name, level: 1 })).toBeVisible();
  await expect(page.getByRole("list", { name: "Secrets that work now" })).toContainText(
    `kw_as_…${secret.slice(-4)}`,
  );
  await expect(page.getByText("Everyone with an active account")).toBeVisible();

  // Only Developers may sign in to it.
  const edit = page.getByRole("form", { name: `Edit ${name}` });
  await edit.getByLabel(/^Only holders of the roles below/).check();
  await edit
    .getByRole("group", { name: "Roles that may sign in" })
    .getByLabel("Developer", { exact: true })
    .check();
  await edit.getByRole("button", { name: "Save application" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Application saved." })).toBeVisible();
  await expect(page.getByText("Holders of Developer")).toBeVisible();

  // A new secret, the old one kept for an hour.
  const rotation = page.getByRole("form", { name: `Rotate the secret of ${name}` });
  await rotation.getByRole("button", { name: "Rotate secret" }).click();
  const dialog = page.getByRole("dialog", { name: `Rotate the secret of ${name}?` });
  await dialog.getByLabel("Keep the old secret working for").selectOption({ label: "1 hour" });
  await dialog.getByRole("button", { name: "Rotate secret" }).click();
  const rotated = await rotation.getByRole("textbox", { name: "Client secret", exact: true }).inputValue();
  expect(rotated).toMatch(/^kw_as_/);
  expect(rotated).not.toBe(secret);
  await expect(rotation.getByText(/previous secret keeps working until/)).toBeVisible();

  // Disabled after its confirmation, then deleted: gone from the list.
  await page.getByRole("button", { name: "Disable", exact: true }).click();
  await page
    .getByRole("dialog", { name: `Disable ${name}?` })
    .getByRole("button", { name: "Disable application" })
    .click();
  await expect(page.getByRole("status").filter({ hasText: "Application disabled" })).toBeVisible();
  await page.getByRole("button", { name: "Delete", exact: true }).click();
  await page
    .getByRole("dialog", { name: `Delete ${name}?` })
    .getByRole("button", { name: "Delete application" })
    .click();
  await expect(page.getByRole("heading", { name: "Applications", level: 1 })).toBeVisible();
  await expect(page.getByRole("link", { name })).toHaveCount(0);
});

test("a member does not see Applications and is refused the page", async ({ page }) => {
  const member = await createTestUser({ roles: ["member"], label: "apps-member" });
  await page.goto("/login");
  await signIn(page, member);
  await expect(
    page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Applications" }),
  ).toHaveCount(0);
  const response = await page.goto("/apps");
  expect(response?.status()).toBe(403);
});
