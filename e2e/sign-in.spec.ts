import { db } from "../lib/db/client.ts";
import { createTestUser, expect, signIn, submitSignIn, test } from "./fixtures";

test.describe("signing in and out", () => {
  test("before the page's script runs, Sign in submits nothing, and a password never lands in a URL", async ({
    page,
  }) => {
    const user = await createTestUser({ label: "early" });
    // The page as a browser has it before (or without) its JavaScript: the server's HTML alone.
    await page.route("**/_next/static/**/*.js", (route) => route.abort());
    await page.goto("/login");
    await expect(page.getByRole("button", { name: "Sign in", exact: true })).toBeDisabled();
    await page.getByLabel("Email").fill(user.email);
    await page.getByLabel("Password", { exact: true }).fill(user.password);
    // Enter in a field is the browser's implicit submission: with the button disabled, none.
    await page.getByLabel("Password", { exact: true }).press("Enter");
    await page.waitForTimeout(500);
    expect(page.url()).not.toContain("password");
    expect(page.url()).not.toContain(encodeURIComponent(user.email));
    // With its script, the same page signs in.
    await page.unroute("**/_next/static/**/*.js");
    await page.goto("/login");
    await signIn(page, user);
    await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();
  });

  test("a protected page sends a signed-out visitor to sign in, then back to that page", async ({ page }) => {
    const user = await createTestUser({ roles: ["auditor"], label: "auditor" });
    await page.goto("/audit");
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Faudit$/);
    await signIn(page, user);
    await expect(page).toHaveURL(/\/audit$/);
    await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
  });

  test("a hostile callbackUrl never leaves Keyward, after signing in or when already signed in", async ({
    page,
    baseURL,
  }) => {
    const user = await createTestUser({ label: "redirect" });
    const origin = new URL(baseURL ?? "").origin;
    // "/\t/evil.example": browsers drop the tab and read "//evil.example" (another host).
    await page.goto("/login?callbackUrl=%2F%09%2Fevil.example");
    await signIn(page, user);
    await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();
    expect(new URL(page.url()).origin).toBe(origin);
    expect(new URL(page.url()).pathname).toBe("/account");
    for (const evil of ["%2F%5Cevil.example", "%2F.%2F%2Fevil.example", "https%3A%2F%2Fevil.example"]) {
      await page.goto(`/login?callbackUrl=${evil}`);
      await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();
      expect(new URL(page.url()).origin, evil).toBe(origin);
    }
  });

  test("a wrong password is refused with a clear message and no session", async ({ page }) => {
    const user = await createTestUser();
    await page.goto("/login");
    await submitSignIn(page, { email: user.email, password: "not the right password" });
    await expect(
      page.getByRole("alert").filter({ hasText: "Email or password is incorrect." }),
    ).toBeVisible();
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/account");
    await expect(page).toHaveURL(/\/login/);
  });

  test("sign-out ends the session: the protected page asks to sign in again", async ({ page }) => {
    const user = await createTestUser();
    await page.goto("/login");
    await signIn(page, user);
    await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();
    await page.getByRole("button", { name: "Sign out", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "You have signed out." })).toBeVisible();
    await page.goto("/account");
    await expect(page).toHaveURL(/\/login\?callbackUrl=%2Faccount$/);
    const session = await db.session.findFirst({ where: { userId: user.id } });
    expect(session?.revokedReason).toBe("signed_out");
  });

  test("the form works from the keyboard alone", async ({ page }) => {
    const user = await createTestUser();
    await page.goto("/login");
    await page.getByLabel("Email").focus();
    await page.keyboard.type(user.email);
    await page.keyboard.press("Tab");
    await page.keyboard.type(user.password);
    await page.keyboard.press("Enter");
    await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();
  });

  test("a member sees only their account, and a page beyond their roles is refused", async ({ page }) => {
    const user = await createTestUser({ label: "member" });
    await page.goto("/login");
    await signIn(page, user);
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link")).toHaveText([
      "API reference",
      "My account",
      "Security",
      "Connected apps",
    ]);
    await expect(page.getByText("None: you can manage your own account.")).toBeVisible();
    const response = await page.goto("/users");
    expect(response?.status()).toBe(403);
    await expect(page.getByRole("heading", { name: "You do not have access to this page" })).toBeVisible();
  });

  test("a disabled user is signed out on their next request", async ({ page }) => {
    const user = await createTestUser();
    await page.goto("/login");
    await signIn(page, user);
    await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();
    await db.user.update({ where: { id: user.id }, data: { status: "disabled" } });
    await page.reload();
    await expect(page).toHaveURL(/\/login/);
  });
});
