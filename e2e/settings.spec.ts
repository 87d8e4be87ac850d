import { db } from "../lib/db/client.ts";
import { createTestUser, expect, signIn, test } from "./fixtures";

// Journey: an administrator requires MFA for everyone; a member without a factor is sent to set one up.
// The setting is global: this file runs in its own Playwright project, after every other journey.

test("requiring MFA for everyone from Settings sends a member without a factor to enrollment", async ({
  browser,
}) => {
  const admin = await createTestUser({ roles: ["admin"], label: "admin" });
  const member = await createTestUser({ label: "member" });
  const adminPage = await (await browser.newContext()).newPage();
  await adminPage.goto("/login");
  await signIn(adminPage, admin);
  await adminPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
  await expect(adminPage.getByLabel("Sign out after inactivity (minutes)")).toHaveValue("30");
  await adminPage.getByRole("checkbox", { name: /Require MFA for everyone/ }).check();
  await adminPage.getByRole("button", { name: "Save settings" }).click();
  await expect(adminPage.getByRole("status").filter({ hasText: "Settings saved." })).toBeVisible();
  try {
    const memberPage = await (await browser.newContext()).newPage();
    await memberPage.goto("/login");
    await signIn(memberPage, member);
    // Settings are cached for up to five seconds per server process.
    await expect(async () => {
      await memberPage.goto("/account");
      await expect(memberPage).toHaveURL(/\/account\/security\?required=1$/);
    }).toPass({ timeout: 15_000 });
  } finally {
    await db.setting.deleteMany({ where: { key: "mfaRequiredForAll" } });
  }
});
