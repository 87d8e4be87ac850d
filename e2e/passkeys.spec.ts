import type { Page } from "@playwright/test";

import { db } from "../lib/db/client.ts";
import {
  addPasskey,
  createTestUser,
  expect,
  signIn,
  submitSignIn,
  test,
  virtualAuthenticator,
} from "./fixtures";

async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
}

// Journey: a passkey as second factor and as a complete passwordless sign-in.
test("a passkey is registered, then signs in as the second factor and on its own", async ({ page }) => {
  const user = await createTestUser();
  const { cdp, authenticatorId } = await virtualAuthenticator(page, {
    resident: true,
    userVerification: true,
    transport: "internal",
  });
  await page.goto("/login");
  await signIn(page, user);
  await addPasskey(page, "Laptop passkey");
  await expect(page.getByRole("heading", { name: "Save your recovery codes" })).toBeVisible();
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials).toHaveLength(1);
  expect(credentials[0]?.isResidentCredential).toBe(true);
  const stored = await db.webAuthnCredential.findFirstOrThrow({ where: { userId: user.id } });
  expect(stored.discoverable).toBe(true);

  // Password, then the passkey as second factor.
  await signOut(page);
  await submitSignIn(page, user);
  await page.getByRole("button", { name: "Use your passkey or security key" }).click();
  await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();

  // No password at all.
  await signOut(page);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();
  const session = await db.session.findFirstOrThrow({
    where: { userId: user.id, revokedAt: null },
    orderBy: { createdAt: "desc" },
  });
  expect(session.amr).toEqual(expect.arrayContaining(["hwk", "mfa"]));
  expect(session.mfaTime).not.toBeNull();
});

test("a passkey that fails user verification gets a clear error and no session", async ({ page }) => {
  const user = await createTestUser();
  const { cdp, authenticatorId } = await virtualAuthenticator(page, {
    resident: true,
    userVerification: true,
    transport: "internal",
  });
  await page.goto("/login");
  await signIn(page, user);
  await addPasskey(page, "Phone passkey");
  await signOut(page);

  await cdp.send("WebAuthn.setUserVerified", { authenticatorId, isUserVerified: false });
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /passkey/i })).toBeVisible();
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login/);
});

test("a security key without a resident credential works as the second factor", async ({ page }) => {
  const user = await createTestUser();
  const { cdp, authenticatorId } = await virtualAuthenticator(page, {
    resident: false,
    userVerification: false,
    transport: "usb",
  });
  await page.goto("/login");
  await signIn(page, user);
  await addPasskey(page, "Blue security key");
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  expect(credentials[0]?.isResidentCredential).toBe(false);

  await signOut(page);
  await submitSignIn(page, user);
  await page.getByRole("button", { name: "Use your passkey or security key" }).click();
  await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();
});

// Journey (ASVS 7.5.1): adding a factor after the step-up window asks to confirm it is you first;
// then the other sessions can be ended, and the change is in the account's security activity.
test("adding a passkey needs a recent sign-in, offers to end other sessions, and shows in the activity", async ({
  browser,
}) => {
  const user = await createTestUser();
  const elsewhere = await (await browser.newContext()).newPage();
  await elsewhere.goto("/login");
  await signIn(elsewhere, user);
  const page = await (await browser.newContext()).newPage();
  await virtualAuthenticator(page, { resident: true, userVerification: true, transport: "internal" });
  await page.goto("/login");
  await signIn(page, user);
  const current = await db.session.findFirstOrThrow({
    where: { userId: user.id, revokedAt: null },
    orderBy: { createdAt: "desc" },
  });
  await db.session.update({
    where: { id: current.id },
    data: { authTime: new Date(Date.now() - 11 * 60_000) },
  });

  await page.goto("/account/security");
  await page.getByLabel("Name for this passkey").fill("Desk passkey");
  await page.getByRole("button", { name: "Add a passkey or security key" }).click();
  const confirm = page.getByRole("dialog", { name: "Confirm it is you" });
  await expect(confirm).toBeVisible();
  expect(await db.webAuthnCredential.count({ where: { userId: user.id } })).toBe(0);
  await confirm.getByLabel("Your password").fill(user.password);
  await confirm.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Passkey added." })).toBeVisible();

  const offer = page.getByRole("region", { name: "Sign out your other sessions?" });
  await expect(offer).toBeVisible();
  await offer.getByRole("button", { name: "Sign out my other sessions" }).click();
  await expect(page.getByText("Signed out of 1 other session.")).toBeVisible();
  await elsewhere.goto("/account");
  await expect(elsewhere).toHaveURL(/\/login/);

  await page.reload();
  const activity = page.getByRole("list", { name: "Recent security activity" });
  await expect(activity.getByRole("listitem").first()).toContainText("New recovery codes created");
  await expect(activity).toContainText("Passkey or security key added · “Desk passkey”");
  await expect(activity).toContainText("By You");

  // Removing it makes the same offer, left in the factors section (the factor's row is gone).
  await page.getByRole("button", { name: "Remove", exact: true }).click();
  await page
    .getByRole("dialog", { name: "Remove Desk passkey?" })
    .getByRole("button", { name: "Remove" })
    .click();
  await expect(page.getByRole("region", { name: "Sign out your other sessions?" })).toBeVisible();
  await expect(activity.getByRole("listitem").first()).toContainText("Passkey or security key removed");
});
