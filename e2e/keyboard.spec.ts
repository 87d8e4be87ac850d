import type { Page } from "@playwright/test";

import { ACCOUNT_LINKS, AREAS } from "../lib/policy/navigation.ts";
import { commandPalette, createTestUser, expect, pressControlK, signIn, test } from "./fixtures";

// Journey: with the keyboard alone, an administrator reaches every area of the console, once through
// the sidebar (Tab, Enter) and once through the command palette (Ctrl-K, type, Enter). The areas come
// from the navigation's own list, so a new area is covered by adding it there.

const destinations = [...AREAS, ...ACCOUNT_LINKS].map(({ href, label }) => ({ href, label }));

/** Tabs forward until the focused element is the sidebar link named `label`; fails past 80 stops. */
async function tabToLink(page: Page, label: string): Promise<void> {
  const nav = page.getByRole("navigation", { name: "Main" });
  const link = nav.getByRole("link", { name: label, exact: true });
  for (let stop = 0; stop < 80; stop++) {
    await page.keyboard.press("Tab");
    if (await link.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`Tab never reached the "${label}" link`);
}

test("every area is reachable by keyboard through the sidebar and through the palette", async ({ page }) => {
  const admin = await createTestUser({ roles: ["admin"], label: "keyboard" });
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto("/login");
  await signIn(page, admin);

  for (const { href, label } of destinations) {
    await page.goto("/account");
    await tabToLink(page, label);
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === href);
    await expect(
      page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label, exact: true }),
    ).toHaveAttribute("aria-current", "page");
  }

  const palette = commandPalette(page);
  for (const { href, label } of destinations) {
    await page.goto(href === "/account" ? "/api-docs" : "/account");
    await pressControlK(page);
    await page.keyboard.type(label);
    await expect(palette.getByRole("option", { name: new RegExp(`^${label}`) }).first()).toHaveAttribute(
      "aria-selected",
      "true",
    );
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === href);
    await expect(palette).toBeHidden();
  }
});
