import { builtInGrantRows } from "../lib/apis/built-in-api.ts";
import { randomBytes } from "node:crypto";

import { newId } from "../lib/crypto/ids.ts";
import { db } from "../lib/db/client.ts";
import { builtInRoleId } from "../lib/roles/ensure-built-in-roles.ts";
import { createTestUser, expect, openUserFromList, signIn, test } from "./fixtures";

// Journey: least privilege end to end. An admin invites someone, gives them a custom role, and they see exactly what it unlocks.
test("an admin invites a user, gives them a custom role, and they see only what it unlocks", async ({
  browser,
}) => {
  const admin = await createTestUser({ roles: ["admin"], label: "admin" });
  const suffix = randomBytes(3).toString("hex");
  const invitee = {
    email: `invitee-${suffix}@example.test`,
    name: `Invitee ${suffix}`,
    password: "amber falcon drifts north",
  };
  const roleName = `Log reader ${suffix}`;

  const adminPage = await (await browser.newContext()).newPage();
  await adminPage.goto("/login");
  await signIn(adminPage, admin);
  await adminPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
  await adminPage.getByRole("link", { name: "Invite user" }).click();
  await adminPage.getByLabel("Email").fill(invitee.email);
  await adminPage.getByLabel("Name").fill(invitee.name);
  await adminPage.getByRole("button", { name: "Create invitation" }).click();
  const link = await adminPage.getByLabel("Invitation link").inputValue();
  expect(link).toMatch(/\/accept-invitation#[\w-]+$/);

  // The invitee sets their own password through the one-time link, then signs in.
  const inviteePage = await (await browser.newContext()).newPage();
  await inviteePage.goto(link);
  await inviteePage.getByLabel("Password", { exact: true }).fill(invitee.password);
  await inviteePage.getByLabel("Confirm password").fill(invitee.password);
  await inviteePage.getByRole("button", { name: "Set password" }).click();
  await expect(inviteePage.getByRole("status").filter({ hasText: "Your password is set." })).toBeVisible();
  await expect(inviteePage.getByLabel("Email")).toHaveValue(invitee.email);
  await signIn(inviteePage, invitee);
  const inviteeNav = inviteePage.getByRole("navigation", { name: "Main" });
  await expect(inviteeNav.getByRole("link")).toHaveText([
    "API reference",
    "My account",
    "Security",
    "Connected apps",
  ]);

  // The link worked once.
  const replay = await (await browser.newContext()).newPage();
  await replay.goto(link);
  await replay.getByLabel("Password", { exact: true }).fill("another long passphrase");
  await replay.getByLabel("Confirm password").fill("another long passphrase");
  await replay.getByRole("button", { name: "Set password" }).click();
  await expect(replay.getByRole("alert").filter({ hasText: "already been used" })).toBeVisible();

  // A custom role with one permission.
  await adminPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Roles" }).click();
  await adminPage.getByRole("link", { name: "New role" }).click();
  await expect(adminPage.getByRole("heading", { level: 1, name: "New role" })).toBeVisible();
  await adminPage.getByLabel("Name", { exact: true }).fill(roleName);
  await adminPage.getByLabel("Description").fill("Reads the audit log.");
  await adminPage.getByRole("checkbox", { name: /^audit\.read/ }).check();
  await adminPage.getByRole("button", { name: "Create role" }).click();
  await expect(adminPage.getByRole("heading", { name: roleName })).toBeVisible();

  // Assigned from the user's page, found by search.
  await openUserFromList(adminPage, invitee);
  await adminPage.getByRole("combobox", { name: "Role to assign" }).selectOption({ label: roleName });
  await adminPage.getByRole("button", { name: "Assign" }).click();
  await expect(adminPage.getByRole("status").filter({ hasText: "Role assigned." })).toBeVisible();
  await expect(adminPage.getByRole("cell", { name: roleName })).toBeVisible();

  // On their very next request, the invitee sees the area the role unlocks, and nothing else.
  await inviteePage.reload();
  // Reading the audit log also opens the overview's sign-in cards.
  await expect(inviteeNav.getByRole("link")).toHaveText([
    "Overview",
    "Audit log",
    "API reference",
    "My account",
    "Security",
    "Connected apps",
  ]);
  expect((await inviteePage.goto("/users"))?.status()).toBe(403);

  // The matrix shows who holds audit.read, and through which role.
  await adminPage.goto("/roles/matrix");
  await adminPage.getByRole("combobox", { name: "Permission" }).selectOption("audit.read");
  await adminPage.getByRole("button", { name: "Show holders" }).click();
  await expect(
    adminPage.getByRole("row", { name: new RegExp(`${invitee.email}.*${roleName}`) }),
  ).toBeVisible();
});

test("disabling a user asks for confirmation naming them, then signs them out", async ({ browser }) => {
  const admin = await createTestUser({ roles: ["admin"], label: "admin" });
  const target = await createTestUser({ label: "target" });
  const targetPage = await (await browser.newContext()).newPage();
  await targetPage.goto("/login");
  await signIn(targetPage, target);
  await expect(targetPage.getByRole("heading", { name: "My account" })).toBeVisible();

  const adminPage = await (await browser.newContext()).newPage();
  await adminPage.goto("/login");
  await signIn(adminPage, admin);
  await adminPage.goto(`/users/${target.id}`);
  await adminPage.getByRole("button", { name: "Disable user" }).click();
  const dialog = adminPage.getByRole("dialog", { name: `Disable ${target.email}?` });
  await expect(dialog).toBeVisible();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await adminPage.getByRole("button", { name: "Disable user" }).click();
  await dialog.getByRole("button", { name: "Disable" }).click();
  await expect(adminPage.getByRole("status").filter({ hasText: "User disabled" })).toBeVisible();
  await expect(adminPage.getByText("Disabled", { exact: true })).toBeVisible();

  await targetPage.reload();
  await expect(targetPage).toHaveURL(/\/login/);
});

test("an admin cannot disable themselves, and a user manager cannot give Administrator", async ({ page }) => {
  const manager = await createTestUser({ roles: ["user_manager"], label: "manager" });
  const other = await createTestUser({ label: "other" });
  await page.goto("/login");
  await signIn(page, manager);
  await page.goto(`/users/${manager.id}`);
  await expect(page.getByRole("button", { name: "Disable user" })).toHaveCount(0);
  await page.goto(`/users/${other.id}`);
  const select = page.getByRole("combobox", { name: "Role to assign" });
  await expect(select.getByRole("option", { name: /Administrator/ })).toBeDisabled();
});

// Journey: a role manager without users.write opens Administrator: the page says why they cannot
// edit it, and offers no form (the server refuses the edit anyway: lib/roles/manage-role.ts).
test("a role manager cannot edit a role that grants more than they hold, and the page says why", async ({
  page,
}) => {
  const roleId = newId("rol");
  await db.role.create({
    data: {
      id: roleId,
      name: `Role manager ${randomBytes(2).toString("hex")}`,
      grants: { create: builtInGrantRows(["roles.read", "roles.write"]) },
    },
  });
  const manager = await createTestUser({ label: "rolemanager" });
  await db.roleAssignment.create({ data: { userId: manager.id, roleId } });
  await page.goto("/login");
  await signIn(page, manager);
  await page.goto(`/roles/${await builtInRoleId(db, "admin")}`);
  await expect(page.getByRole("heading", { name: "Administrator" })).toBeVisible();
  await expect(
    page.getByRole("alert").filter({ hasText: "This role grants permissions you do not hold" }),
  ).toContainText("users.write");
  await expect(page.getByRole("button", { name: "Save role" })).toHaveCount(0);
});
