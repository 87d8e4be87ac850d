import { randomBytes } from "node:crypto";

import type { Page } from "@playwright/test";

import { db } from "../lib/db/client.ts";
import { commandPalette, createTestUser, expect, pressControlK, signIn, test } from "./fixtures";

// Journey: the command palette jumps anywhere the user may go, keyboard only or by touch, and shows
// nothing the user may not open (a Member finds no users).

/** A user with a name no other test has, and the part of it the tests type. */
async function findableUser() {
  const user = await createTestUser({ label: "target" });
  const tag = randomBytes(4).toString("hex");
  const name = `Quill ${tag} Zephyr`;
  await db.user.update({ where: { id: user.id }, data: { name } });
  return { ...user, name, tag };
}

const palette = commandPalette;
const searchBox = (page: Page) => palette(page).getByRole("combobox");

test("an administrator finds a user with Ctrl-K and opens them with Enter, keyboard only", async ({
  page,
}) => {
  const admin = await createTestUser({ roles: ["admin"], label: "admin" });
  const target = await findableUser();
  await page.goto("/login");
  await signIn(page, admin);

  await pressControlK(page);
  await page.keyboard.type(target.tag);
  const option = palette(page).getByRole("option", { name: new RegExp(target.name) });
  await expect(option).toBeVisible();
  await expect(option).toContainText(target.email);
  await expect(option).toHaveAttribute("aria-selected", "true");
  await expect(searchBox(page)).toHaveAttribute("aria-expanded", "true");
  await expect(searchBox(page)).toHaveAttribute(
    "aria-activedescendant",
    (await option.getAttribute("id")) ?? "",
  );
  await page.keyboard.press("Enter");
  await page.waitForURL(`**/users/${target.id}`);
  await expect(palette(page)).toBeHidden();

  // Pages match at once; Down moves the active option, Escape closes without going anywhere.
  await pressControlK(page);
  await page.keyboard.type("se");
  const options = palette(page).getByRole("option");
  await expect(options.first()).toContainText("Settings");
  await expect(options.first()).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowDown");
  await expect(options.nth(1)).toContainText("Security");
  await expect(options.nth(1)).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowUp");
  await expect(options.first()).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("Escape");
  await expect(palette(page)).toBeHidden();
  expect(new URL(page.url()).pathname).toBe(`/users/${target.id}`);
});

test("a Member searching for a user finds no match, but finds the Security page", async ({ page }) => {
  const member = await createTestUser({ roles: ["member"], label: "member" });
  const target = await findableUser();
  await page.goto("/login");
  await signIn(page, member);

  await pressControlK(page);
  await page.keyboard.type(target.tag);
  await expect(palette(page).getByRole("status")).toHaveText("No matches");
  await expect(palette(page).getByRole("option")).toHaveCount(0);
  await expect(searchBox(page)).toHaveAttribute("aria-expanded", "false");

  await searchBox(page).fill("");
  await page.keyboard.type("secur");
  const security = palette(page).getByRole("option", { name: /Security/ });
  await expect(security).toBeVisible();
  await expect(palette(page).getByRole("status")).toHaveText("1 result");
  await page.keyboard.press("Enter");
  await page.waitForURL("**/account/security");
});

test.describe("on a 390 px phone", () => {
  test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

  test("the Search button opens the palette, and a tapped result opens the user", async ({ page }) => {
    const admin = await createTestUser({ roles: ["admin"], label: "admin" });
    const target = await findableUser();
    await page.goto("/login");
    await signIn(page, admin);

    // Retried until the app has hydrated (a tap before it does nothing).
    await expect(async () => {
      await page.getByRole("button", { name: "Search", exact: true }).tap();
      await expect(palette(page)).toBeVisible({ timeout: 1_000 });
    }).toPass();
    await searchBox(page).fill(target.tag);
    const option = palette(page).getByRole("option", { name: new RegExp(target.name) });
    await option.tap();
    await page.waitForURL(`**/users/${target.id}`);
    await expect(palette(page)).toBeHidden();
    // The panel fits the screen: nothing scrolls sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
