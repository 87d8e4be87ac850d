import { axeViolations } from "./axe";
import { expect, setupCodeFromLog, signIn, test } from "./fixtures";

// Journey: a newcomer opens a fresh Keyward, proves they run it with the code from the log, and becomes its administrator.
test("first-run setup with the one-time code from the server log", async ({ page }) => {
  await page.goto("/");
  await expect(page).toHaveURL(/\/setup$/);
  await expect(page.getByRole("heading", { name: "Set up Keyward" })).toBeVisible();
  // The setup page exists only now: e2e/accessibility.spec.ts cannot reach it, so axe runs here, in
  // the same three modes (light, dark, phone width).
  const axe = async (mode: string) =>
    expect.soft(await axeViolations(page), `axe on /setup (${mode})`).toEqual([]);
  await axe("light");
  await page.emulateMedia({ colorScheme: "dark" });
  await axe("dark");
  await page.emulateMedia({ colorScheme: "light" });
  const desktop = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  await axe("phone");
  if (desktop) await page.setViewportSize(desktop);

  const admin = { email: "first.admin@example.test", password: "orange kettle whistles twice" };
  await page.getByLabel("Setup code").fill("AAAA-BBBB-CCCC");
  await page.getByLabel("Your name").fill("First Admin");
  await page.getByLabel("Email").fill(admin.email);
  await page.getByLabel("Password", { exact: true }).fill(admin.password);
  await page.getByLabel("Confirm password").fill(admin.password);
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "not valid" })).toBeVisible();

  await page.getByLabel("Setup code").fill(setupCodeFromLog());
  await page.getByRole("button", { name: "Create administrator" }).click();
  await expect(page).toHaveURL(/\/login\?setup=done/);
  await expect(page.getByRole("status").filter({ hasText: "Administrator created" })).toBeVisible();

  await signIn(page, admin);
  // An administrator's home is the security overview: what is risky, without being told where to look.
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  await expect(page.getByRole("region", { name: "MFA", exact: true })).toContainText(
    "0% of active users have a second factor",
  );
  const nav = page.getByRole("navigation", { name: "Main" });
  await nav.getByRole("link", { name: "My account" }).click();
  await expect(page.getByText(`You are signed in as ${admin.email}.`)).toBeVisible();
  for (const area of [
    "Overview",
    "Users",
    "Roles",
    "API clients",
    "Tokens",
    "Audit log",
    "Settings",
    "API reference",
    "My account",
    "Security",
  ]) {
    await expect(nav.getByRole("link", { name: area })).toBeVisible();
  }

  // Setup is closed for good.
  await page.goto("/setup");
  await expect(page).not.toHaveURL(/\/setup$/);
});
