import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import { test as base, expect, type CDPSession, type Page } from "@playwright/test";
import { generate } from "otplib";

import { SYSTEM_CONTEXT } from "../lib/auth/principal.ts";
import { db } from "../lib/db/client.ts";
import type { BuiltInRoleKey } from "../lib/policy/built-in-roles.ts";
import { builtInRoleId } from "../lib/roles/ensure-built-in-roles.ts";
import { createUser } from "../lib/users/create-user.ts";
import { linkIn, type ReceivedMail } from "../test/mailbox.ts";

// The runner (scripts/test-e2e.ts) gives us the server's own database: test data goes in the real one.
process.env.DATABASE_URL = process.env.E2E_DATABASE_URL;

export type TestUser = { id: string; email: string; name: string; password: string };

/** Each test makes its own users, with unique emails, so tests run in any order and in parallel. */
export async function createTestUser(
  options: { roles?: BuiltInRoleKey[]; label?: string; domain?: string } = {},
): Promise<TestUser> {
  const email = `${options.label ?? "user"}-${randomBytes(5).toString("hex")}@${options.domain ?? "example.test"}`;
  const name = `${(options.label ?? "user").replace(/^./, (c) => c.toUpperCase())} ${randomBytes(2).toString("hex")}`;
  const password = `violet ${randomBytes(8).toString("base64url")} tractor`;
  const roleIds = await Promise.all((options.roles ?? []).map((key) => builtInRoleId(db, key)));
  const { id } = await db.$transaction((tx) =>
    createUser(tx, {
      email,
      name,
      password,
      status: "active",
      roleIds,
      actor: { kind: "system", display: "e2e" },
      context: SYSTEM_CONTEXT,
    }),
  );
  return { id, email, name, password };
}

/** Fills in and submits the sign-in form, without waiting for the outcome. */
export async function submitSignIn(page: Page, user: { email: string; password: string }) {
  await page.getByLabel("Email").fill(user.email);
  await page.getByLabel("Password", { exact: true }).fill(user.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
}

/** Signs in and waits until the app has left the sign-in page. */
export async function signIn(page: Page, user: { email: string; password: string }) {
  await submitSignIn(page, user);
  await page.waitForURL((url) => !url.pathname.startsWith("/login"));
}

/** The setup code the server printed, read from its log as an operator would. */
export function setupCodeFromLog(): string {
  const log = fs.readFileSync(process.env.E2E_SERVER_LOG ?? "", "utf8");
  const codes = [...log.matchAll(/Setup code: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})/g)];
  const code = codes.at(-1)?.[1];
  if (!code) throw new Error("no setup code in the server log");
  return code;
}

/**
 * The one-time link in the newest message the test mail server received for this address, as the
 * person would open it from their inbox.
 */
export async function linkMailedTo(email: string, timeoutMs = 15_000): Promise<string> {
  const dir = process.env.E2E_MAIL_DIR ?? "";
  const until = Date.now() + timeoutMs;
  for (;;) {
    const mails = fs
      .readdirSync(dir)
      .sort()
      .reverse()
      .map((name) => JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) as ReceivedMail)
      .filter((mail) => mail.to.includes(email));
    if (mails[0]) return linkIn(mails[0]);
    if (Date.now() > until) throw new Error(`no mail for ${email}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Opens a user's page as an administrator would: Users in the sidebar, search by email, the link.
 * Waits for the Users heading first, because the page being left (a role's page, an API's) may
 * have a search box of its own while the client navigation is under way.
 */
export async function openUserFromList(page: Page, user: { email: string; name: string }) {
  await page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Users", exact: true })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await page.getByRole("searchbox", { name: "Search", exact: true }).fill(user.email);
  await page.getByRole("button", { name: "Apply" }).click();
  await page.getByRole("link", { name: user.name }).click();
  await expect(page.getByRole("heading", { level: 1, name: user.name })).toBeVisible();
}

/** The command palette's dialog. */
export const commandPalette = (page: Page) => page.getByRole("dialog", { name: "Search" });

/** Opens the palette with Ctrl-K; retried until the app has hydrated and listens for it. */
export async function pressControlK(page: Page) {
  await expect(async () => {
    await page.keyboard.press("Control+K");
    await expect(commandPalette(page)).toBeVisible({ timeout: 1_000 });
  }).toPass();
  await expect(commandPalette(page).getByRole("combobox")).toBeFocused();
}

/** A code as the user's phone would show it, computed from the key shown on the setup page. */
export const codeFor = (secret: string, offsetSeconds = 0) =>
  generate({ secret, epoch: Math.floor(Date.now() / 1000) + offsetSeconds });

/** Sets up an authenticator app on the security page (opened first unless `onPage`). */
export async function enrollAuthenticator(
  page: Page,
  options: { onPage?: boolean } = {},
): Promise<{ secret: string; recoveryCodes: string[] }> {
  if (!options.onPage) await page.goto("/account/security");
  await page.getByRole("button", { name: "Set up an authenticator app" }).click();
  await expect(page.getByRole("img", { name: "QR code to scan with your authenticator app" })).toBeVisible();
  const secret = (await page.getByLabel("Setup key").innerText()).replace(/\s/g, "");
  await page.getByLabel("Code from the app").fill("000000");
  await page.getByRole("button", { name: "Verify and turn on" }).click();
  await expect(page.getByText("That code is not right.").first()).toBeVisible();
  await page.getByLabel("Code from the app").fill(await codeFor(secret));
  await page.getByRole("button", { name: "Verify and turn on" }).click();
  await expect(page.getByRole("heading", { name: "Save your recovery codes" })).toBeVisible();
  const recoveryCodes = await page
    .getByRole("list", { name: "Recovery codes" })
    .getByRole("listitem")
    .allInnerTexts();
  expect(recoveryCodes).toHaveLength(10);
  await page.getByRole("button", { name: "Done" }).click();
  return { secret, recoveryCodes };
}

type AuthenticatorOptions = { resident: boolean; userVerification: boolean; transport: "internal" | "usb" };

/** Chromium's virtual authenticator (CDP), standing in for a platform passkey or a USB security key. */
export async function virtualAuthenticator(
  page: Page,
  options: AuthenticatorOptions,
): Promise<{ cdp: CDPSession; authenticatorId: string }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2",
      transport: options.transport,
      hasResidentKey: options.resident,
      hasUserVerification: options.userVerification,
      isUserVerified: options.userVerification,
      automaticPresenceSimulation: true,
    },
  });
  return { cdp, authenticatorId };
}

/** Adds a passkey on the security page, named `name`. */
export async function addPasskey(page: Page, name: string) {
  await page.goto("/account/security");
  await page.getByLabel("Name for this passkey").fill(name);
  await page.getByRole("button", { name: "Add a passkey or security key" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Passkey added." })).toBeVisible();
  await expect(page.getByLabel(`New name for ${name}`)).toHaveValue(name);
}

/** Settings → Rotate signing keys now, confirmed, as an administrator on the Settings page. */
export async function rotateSigningKeys(page: Page) {
  await page.getByRole("button", { name: "Rotate signing keys now" }).click();
  await page
    .getByRole("dialog", { name: "Rotate the signing keys?" })
    .getByRole("button", { name: "Rotate keys" })
    .click();
  await expect(page.getByRole("status").filter({ hasText: /are signing tokens now/ })).toBeVisible();
}

export const test = base;
export { expect };
