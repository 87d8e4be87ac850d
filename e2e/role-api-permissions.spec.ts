import { randomBytes } from "node:crypto";

import { db } from "../lib/db/client.ts";
import { makeApi } from "../test/api-factories.ts";
import { axeViolations } from "./axe";
import { createTestUser, expect, signIn, test } from "./fixtures";

// Journey: a role grants another API's permission. With more APIs than the picker's first page,
// an admin finds the Orders API by searching, grants orders.read, and sees it kept on the role.
test("an admin searches the picker and grants a role a permission of another API", async ({ page }) => {
  const tag = randomBytes(3).toString("hex");
  // Enough APIs sorting before it that the Orders API is not on the first page of the catalog.
  for (let n = 0; n < 21; n++) await makeApi({ label: `Aardvark ${tag} ${n}`, permissions: ["x.read"] });
  const orders = await makeApi({
    label: `Zz Orders ${tag}`,
    permissions: ["orders.read", "orders.write", "orders.legacy"],
    deprecated: ["orders.legacy"],
  });
  const admin = await createTestUser({ roles: ["admin"], label: "api-roles" });
  const roleName = `Order reader ${tag}`;

  await page.goto("/login");
  await signIn(page, admin);
  await page.goto("/roles/new");
  await page.getByLabel("Name").fill(roleName);
  const picker = page.getByRole("group", { name: "Permissions of other APIs" });
  const search = picker.getByRole("searchbox", { name: "Search APIs and permissions" });
  await search.fill(`Zz Orders ${tag}`);
  const api = picker.getByRole("group", { name: new RegExp(`Zz Orders ${tag}`) });
  await expect(api.getByRole("checkbox", { name: /orders\.read/ })).toBeVisible();
  // Deprecated: flagged, and cannot be newly chosen.
  await expect(api.getByRole("checkbox", { name: /orders\.legacy/ })).toBeDisabled();
  await api.getByRole("checkbox", { name: /orders\.read/ }).check();
  // Clearing the search keeps the choice, though the Orders API is off the first page.
  await search.fill("");
  await expect(picker.getByText("1 chosen.")).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);
  await page.getByRole("button", { name: "Create role" }).click();
  await expect(page.getByRole("heading", { name: roleName })).toBeVisible();

  const role = await db.role.findUniqueOrThrow({ where: { name: roleName }, include: { grants: true } });
  expect(role.grants.map((g) => g.permissionId)).toEqual([orders.permissionIds["orders.read"]]);
  // The edit form shows it chosen, first, without searching.
  const granted = page
    .getByRole("group", { name: new RegExp(`Zz Orders ${tag}`) })
    .getByRole("checkbox", { name: /orders\.read/ });
  await expect(granted).toBeChecked();
  expect(await axeViolations(page)).toEqual([]);

  // Editing: search again, add orders.write by keyboard, save; both are granted.
  const editSearch = page.getByRole("searchbox", { name: "Search APIs and permissions" });
  await editSearch.fill("orders.write");
  const write = page
    .getByRole("group", { name: new RegExp(`Zz Orders ${tag}`) })
    .getByRole("checkbox", { name: /orders\.write/ });
  await write.focus();
  await page.keyboard.press("Space");
  await expect(write).toBeChecked();
  await page.getByRole("button", { name: "Save role" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Role saved." })).toBeVisible();
  const after = await db.rolePermission.findMany({ where: { roleId: role.id } });
  expect(after.map((g) => g.permissionId).sort()).toEqual(
    [orders.permissionIds["orders.read"], orders.permissionIds["orders.write"]].sort(),
  );

  // The matrix for that API shows the role's grants.
  await page.goto(`/roles/matrix?api=${orders.id}`);
  await expect(page.getByRole("combobox", { name: "API" })).toHaveValue(orders.id);
  await expect(page.getByRole("row", { name: /orders\.legacy/ }).getByText("Deprecated")).toBeVisible();
  expect(await axeViolations(page)).toEqual([]);

  // The picker, with its badges and disabled rows, in dark mode too.
  await page.emulateMedia({ colorScheme: "dark" });
  await page.goto(`/roles/${role.id}`);
  await expect(granted).toBeChecked();
  expect(await axeViolations(page)).toEqual([]);
});
