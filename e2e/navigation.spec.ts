import { createTestUser, expect, signIn, test } from "./fixtures";

// Guarantee: the console's navigation works on a phone as on a laptop: a Menu dialog that traps focus,
// closes on Escape and on navigation, marks the current page, and shows only what the user may open.
test.describe("on a phone", () => {
  test.use({ viewport: { width: 390, height: 844 } });

  test("an administrator opens the menu, closes it with Escape, navigates from it, and finds a user with the palette", async ({
    page,
  }) => {
    const admin = await createTestUser({ roles: ["admin"], label: "phone-admin" });
    const target = await createTestUser({ label: "phone-target" });
    await page.goto("/login");
    await signIn(page, admin);
    // An administrator lands on the security overview.
    await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();

    const menuButton = page.getByRole("button", { name: "Menu" });
    await expect(menuButton).toHaveAttribute("aria-expanded", "false");
    // The sidebar is not shown beside the content on a phone.
    await expect(page.getByRole("navigation", { name: "Main" })).toBeHidden();

    await menuButton.click();
    const menu = page.getByRole("dialog", { name: "Menu" });
    await expect(menu).toBeVisible();
    await expect(menuButton).toHaveAttribute("aria-expanded", "true");
    await expect(menu.getByRole("list", { name: "Identity" }).getByRole("link")).toHaveText([
      "Users",
      "Roles",
    ]);
    await expect(menu.getByRole("link", { name: "Overview" })).toHaveAttribute("aria-current", "page");
    await expect(menu.getByRole("link", { name: "My account" })).not.toHaveAttribute("aria-current");
    await page.keyboard.press("Escape");
    await expect(menu).toBeHidden();
    await expect(menuButton).toBeFocused();
    await expect(menuButton).toHaveAttribute("aria-expanded", "false");

    await menuButton.click();
    await menu.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }).click();
    await expect(page).toHaveURL(/\/users$/);
    await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
    await expect(menu).toBeHidden();

    await menuButton.click();
    await expect(menu.getByRole("link", { name: "Users" })).toHaveAttribute("aria-current", "page");
    await expect(menu.getByRole("link", { name: "Overview" })).not.toHaveAttribute("aria-current");
    await menu.getByRole("button", { name: "Close" }).click();
    await expect(menu).toBeHidden();
    await expect(menuButton).toBeFocused();

    // The same journey goes on to find a user with the palette, as one would on a phone.
    await page.getByRole("button", { name: "Search" }).click();
    const palette = page.getByRole("dialog", { name: "Search" });
    await palette.getByRole("combobox").fill(target.email.split("@")[0] ?? "");
    await palette.getByRole("option", { name: new RegExp(target.name) }).click();
    await page.waitForURL(`**/users/${target.id}`);
    await expect(page.getByRole("heading", { name: target.name })).toBeVisible();
  });

  test("a member's menu holds only the API reference and their account", async ({ page }) => {
    const member = await createTestUser({ label: "phone-member" });
    await page.goto("/login");
    await signIn(page, member);
    await page.getByRole("button", { name: "Menu" }).click();
    const menu = page.getByRole("dialog", { name: "Menu" });
    await expect(menu.getByRole("link")).toHaveText([
      "API reference",
      "My account",
      "Security",
      "Connected apps",
    ]);
    await expect(menu.getByText(member.email)).toBeVisible();
    await expect(menu.getByRole("button", { name: "Sign out", exact: true })).toBeVisible();
  });
});

test.describe("on a laptop", () => {
  test.use({ viewport: { width: 1280, height: 800 } });

  test("the sidebar is always there, with no menu button", async ({ page }) => {
    const admin = await createTestUser({ roles: ["admin"], label: "desk-admin" });
    await page.goto("/login");
    await signIn(page, admin);
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav).toBeVisible();
    await expect(page.getByRole("button", { name: "Menu" })).toBeHidden();
    await expect(nav.getByRole("list", { name: "Access" }).getByRole("link")).toHaveText([
      "API clients",
      "Tokens",
      "APIs",
      "Applications",
    ]);
    await expect(nav.getByRole("list", { name: "Account" }).getByRole("link")).toHaveText([
      "My account",
      "Security",
      "Connected apps",
    ]);
    await nav.getByRole("link", { name: "Security" }).click();
    await expect(nav.getByRole("link", { name: "Security" })).toHaveAttribute("aria-current", "page");
    await expect(nav.getByRole("link", { name: "My account" })).not.toHaveAttribute("aria-current");
  });

  test("a user's page says where it is: breadcrumbs back to Users, and the title", async ({ page }) => {
    const admin = await createTestUser({ roles: ["admin"], label: "crumbs-admin" });
    const other = await createTestUser({ label: "crumbs-target" });
    await page.goto("/login");
    await signIn(page, admin);

    await page.goto("/users");
    await expect(page).toHaveTitle("Users · Keyward");

    await page.goto(`/users/${other.id}`);
    await expect(page).toHaveTitle(`${other.name} · Users · Keyward`);
    const trail = page.getByRole("navigation", { name: "Breadcrumb" });
    await expect(trail.getByRole("listitem")).toHaveText([/Users/, new RegExp(other.name)]);
    await expect(trail.getByText(other.name)).toHaveAttribute("aria-current", "page");
    // The sidebar marks the area the detail page belongs to.
    await expect(
      page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Users" }),
    ).toHaveAttribute("aria-current", "page");
    await trail.getByRole("link", { name: "Users" }).click();
    await expect(page).toHaveURL(/\/users$/);
    await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  });

  test("signed-out pages and the 404 page have titles too", async ({ page }) => {
    await page.goto("/login");
    await expect(page).toHaveTitle("Sign in · Keyward");
    await page.goto("/forgot-password");
    await expect(page).toHaveTitle("Forgot your password? · Keyward");
    await page.goto("/no-such-page");
    await expect(page).toHaveTitle("Page not found · Keyward");
  });
});
