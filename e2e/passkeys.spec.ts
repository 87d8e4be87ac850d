import type { CDPSession, Page } from "@playwright/test";

import { db } from "../lib/db/client.ts";
import { createTestUser, expect, signIn, submitSignIn, test } from "./fixtures";

type AuthenticatorOptions = { resident: boolean; userVerification: boolean; transport: "internal" | "usb" };

/** Chromium's virtual authenticator (CDP), standing in for a platform passkey or a USB security key. */
async function virtualAuthenticator(
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

async function addPasskey(page: Page, name: string) {
  await page.goto("/account/security");
  await page.getByLabel("Name for this passkey").fill(name);
  await page.getByRole("button", { name: "Add a passkey or security key" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Passkey added." })).toBeVisible();
  await expect(page.getByLabel(`New name for ${name}`)).toHaveValue(name);
}

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
