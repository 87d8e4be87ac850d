import { db } from "../lib/db/client.ts";
import { resetSetting } from "../lib/settings/settings.ts";
import { createTestUser, expect, rotateSigningKeys, signIn, test } from "./fixtures";

// Each journey here changes a global setting: one after the other, never beside each other, and
// the one requiring MFA for everyone last (servers cache settings for a few seconds after cleanup).
test.describe.configure({ mode: "serial" });

// Journey: an administrator shortens the longest token lifetime and rotates the signing key.
test("credential policy: a shorter token lifetime limits what developers can choose; the signing key rotates", async ({
  page,
}) => {
  const admin = await createTestUser({ roles: ["admin"], label: "admin" });
  await page.goto("/login");
  await signIn(page, admin);
  await page.goto("/settings");
  const before = (await (await page.request.get("/.well-known/jwks.json")).json()) as {
    keys: { kid: string }[];
  };
  await page.getByLabel("Longest personal token lifetime (days)").fill("30");
  await page.getByRole("button", { name: "Save credential settings" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Settings saved." })).toBeVisible();
  try {
    await rotateSigningKeys(page);
    const after = (await (await page.request.get("/.well-known/jwks.json")).json()) as {
      keys: { kid: string; alg: string }[];
    };
    // Both keys replaced: a new RS256 and a new ES256 key beside the ones still published.
    expect(after.keys.length).toBeGreaterThanOrEqual(before.keys.length + 2);
    expect(after.keys.map((key) => key.kid)).toEqual(
      expect.arrayContaining(before.keys.map((key) => key.kid)),
    );
    expect(new Set(after.keys.map((key) => key.alg))).toEqual(new Set(["RS256", "ES256"]));

    await expect(async () => {
      await page.goto("/tokens");
      const options = await page.getByLabel("Expires").locator("option").allTextContents();
      expect(options).toEqual(["In 7 days", "In 30 days", "On a date…"]);
    }).toPass({ timeout: 15_000 });
  } finally {
    await db.$transaction((tx) => resetSetting(tx, "tokenMaxLifetimeDays"));
  }
});

// Journey: after a suspected breach, an administrator signs every user out; their own browser stays.
test("signing out every user ends other people's sessions and keeps the administrator's", async ({
  browser,
}) => {
  const admin = await createTestUser({ roles: ["admin"], label: "admin" });
  const member = await createTestUser({ label: "member" });
  const memberPage = await (await browser.newContext()).newPage();
  await memberPage.goto("/login");
  await signIn(memberPage, member);

  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  await signIn(page, admin);
  await page.goto("/settings");
  await page.getByRole("button", { name: "Sign out every user" }).click();
  await page
    .getByRole("dialog", { name: "Sign out every user?" })
    .getByRole("button", { name: "Sign everyone out" })
    .click();
  await expect(
    page.getByRole("status").filter({ hasText: /Signed out \d+ sessions?; yours stays\./ }),
  ).toBeVisible();

  await memberPage.goto("/account");
  await expect(memberPage).toHaveURL(/\/login/);
  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();
});

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
  await adminPage.getByRole("button", { name: "Save security settings" }).click();
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
    await db.$transaction((tx) => resetSetting(tx, "mfaRequiredForAll"));
  }
});
