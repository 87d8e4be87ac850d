import { createTestUser, expect, signIn, test } from "./fixtures";

// Journey: an auditor finds an event by its action, opens it, exports the filtered set and checks the chain.
test("an auditor filters the audit log, opens an event, exports it and verifies the chain", async ({
  page,
}) => {
  const auditor = await createTestUser({ roles: ["auditor"], label: "auditor" });
  await page.goto("/login");
  await signIn(page, auditor);
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit log" }).click();
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();

  const filters = page.getByRole("form", { name: "Filter events" });
  await filters.getByLabel("Actor id").fill(auditor.id);
  await filters.getByLabel("Action").selectOption("auth.sign_in");
  await filters.getByRole("button", { name: "Filter" }).click();
  const rows = page.getByRole("table", { name: "Audit events" }).getByRole("row");
  await expect(rows).toHaveCount(2); // header + this sign-in
  await expect(rows.nth(1)).toContainText("auth.sign_in");

  await rows.nth(1).getByRole("link").click();
  await expect(page.getByRole("heading", { name: /^Event \d+$/ })).toBeVisible();
  await expect(page.getByText(auditor.id).first()).toBeVisible();
  await page.goBack();

  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^keyward-audit-.*\.csv$/);

  await page.getByRole("button", { name: "Verify the chain" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: /The chain is intact: [\d,]+ events checked\./ }),
  ).toBeVisible();

  await filters.getByLabel("From (UTC)").fill("2099-01-01T00:00");
  await filters.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByText("No events match.")).toBeVisible();
});
