import { randomBytes } from "node:crypto";

import { SYSTEM_CONTEXT } from "../lib/auth/principal.ts";
import { newId } from "../lib/crypto/ids.ts";
import { db } from "../lib/db/client.ts";
import { mintTokenForUser } from "../lib/tokens/mint-token.ts";
import { BOUNCE_DOMAIN } from "../test/mailbox.ts";
import { createTestUser, expect, linkMailedTo, signIn, submitSignIn, test } from "./fixtures";

// Journey: a user changes their password; the old one stops working and other browsers are signed out.
test("a user changes their password: the old one is refused, the new one works, other browsers are signed out", async ({
  browser,
}) => {
  const user = await createTestUser({ label: "member" });
  const next = `${user.password} renewed`;
  const other = await (await browser.newContext()).newPage();
  await other.goto("/login");
  await signIn(other, user);

  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  await signIn(page, user);
  await page.goto("/account/security");
  const form = page.getByRole("form", { name: "Change password" });
  // Masked, and open to password managers and pasting (ASVS 6.2.6, 6.2.7).
  await expect(form.getByLabel("Current password")).toHaveAttribute("type", "password");
  await expect(form.getByLabel("Current password")).toHaveAttribute("autocomplete", "current-password");
  await expect(form.getByLabel("New password", { exact: true })).toHaveAttribute("type", "password");
  await expect(form.getByLabel("New password", { exact: true })).toHaveAttribute(
    "autocomplete",
    "new-password",
  );
  await form.getByLabel("Current password").fill("not my password");
  await form.getByLabel("New password", { exact: true }).fill(next);
  await form.getByLabel("Confirm new password").fill(next);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByText("That is not your current password.")).toBeVisible();

  await form.getByLabel("Current password").fill(user.password);
  await form.getByLabel("New password", { exact: true }).fill(next);
  await form.getByLabel("Confirm new password").fill(next);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Password changed; signed out of 1 other session." }),
  ).toBeVisible();

  await other.goto("/account");
  await expect(other).toHaveURL(/\/login/);
  await submitSignIn(other, user);
  await expect(other.getByRole("alert").filter({ hasText: "Email or password is incorrect." })).toBeVisible();
  await signIn(other, { email: user.email, password: next });
  await expect(other.getByRole("heading", { name: "My account" })).toBeVisible();
});

// Journey: a developer changes their password; the form says their personal tokens go (ticked by
// default) and names the API clients that stay; afterwards the token is refused.
test("changing a password revokes the personal tokens by default and names the API clients that stay", async ({
  page,
}) => {
  const developer = await createTestUser({ roles: ["developer"], label: "developer" });
  const { token } = await mintTokenForUser({
    ownerId: developer.id,
    name: "Nightly export",
    scopes: ["clients.read"],
    expiration: "7",
    actor: { kind: "system", display: "e2e" },
    context: SYSTEM_CONTEXT,
  });
  const clientName = `Billing sync ${randomBytes(2).toString("hex")}`;
  const clientId = newId("cli");
  await db.apiClient.create({
    data: { id: clientId, clientId, name: clientName, ownerId: developer.id },
  });
  const headers = { authorization: `Bearer ${token}` };
  expect((await page.request.get("/api/v1/me", { headers })).status()).toBe(200);

  await page.goto("/login");
  await signIn(page, developer);
  await page.goto("/account/security");
  const form = page.getByRole("form", { name: "Change password" });
  await expect(
    form.getByRole("checkbox", { name: /Also revoke my personal API tokens \(1 active\)/ }),
  ).toBeChecked();
  await expect(
    form.getByRole("list", { name: "API clients that stay" }).getByRole("link", { name: clientName }),
  ).toBeVisible();
  const next = `${developer.password} renewed`;
  await form.getByLabel("Current password").fill(developer.password);
  await form.getByLabel("New password", { exact: true }).fill(next);
  await form.getByLabel("Confirm new password").fill(next);
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(
    page.getByRole("status").filter({ hasText: "Password changed; revoked 1 personal token." }),
  ).toBeVisible();
  expect((await page.request.get("/api/v1/me", { headers })).status()).toBe(401);
});

// Journey: a user forgot their password and asks for a link on the sign-in page; it arrives by
// mail, sets a new password once and signs out every browser. Unknown addresses get the same answer.
// Using a link mailed to the address proves it: My account then says the email is verified.
test("a user resets a forgotten password with the link mailed to them; every session ends", async ({
  browser,
}) => {
  const user = await createTestUser({ label: "forgetful" });
  const next = `${user.password} anew`;

  const signedIn = await (await browser.newContext()).newPage();
  await signedIn.goto("/login");
  await signIn(signedIn, user);
  await signedIn.goto("/account");
  const profile = signedIn.getByRole("region", { name: "Profile" });
  await expect(profile.getByText("Not verified", { exact: true })).toBeVisible();

  const page = await (await browser.newContext()).newPage();
  const ask = async (email: string) => {
    await page.goto("/login");
    await page.getByRole("link", { name: "Forgot your password?" }).click();
    await expect(page.getByRole("heading", { name: "Forgot your password?" })).toBeVisible();
    await page.getByLabel("Email").fill(email);
    await page.getByRole("button", { name: "Send me a reset link" }).click();
    const answer = page.getByText(/^If an active account uses that address/);
    await expect(answer).toBeVisible();
    return answer.textContent();
  };
  const forUnknown = await ask(`nobody-${Date.now()}@example.test`);
  const forUser = await ask(user.email);
  expect(forUser).toContain("If an active account uses that address, a reset link is on its way.");
  expect(forUnknown).toBe(forUser);

  const link = await linkMailedTo(user.email);
  expect(link).toMatch(/\/reset-password#[\w-]{43}$/);
  await page.goto(link);
  await expect(page.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await expect(page.getByText("Your personal API tokens are revoked too")).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill("password1234");
  await page.getByLabel("Confirm new password").fill("password1234");
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "lists of leaked passwords" })).toBeVisible();
  await page.getByLabel("New password", { exact: true }).fill(next);
  await page.getByLabel("Confirm new password").fill(next);
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1/);
  await expect(page.getByText("Your new password is set and every session has ended.")).toBeVisible();

  // The browser that was signed in is signed out; the old password is refused, the new one works.
  await signedIn.goto("/account");
  await expect(signedIn).toHaveURL(/\/login/);
  await submitSignIn(signedIn, user);
  await expect(
    signedIn.getByRole("alert").filter({ hasText: "Email or password is incorrect." }),
  ).toBeVisible();
  await signIn(signedIn, { email: user.email, password: next });
  await expect(signedIn.getByRole("heading", { name: "My account" })).toBeVisible();
  await expect(profile.getByText("Verified", { exact: true })).toBeVisible();
  await expect(
    profile.getByText("You proved this address is yours by using a link Keyward mailed to it."),
  ).toBeVisible();

  // The link worked once.
  const reuse = await (await browser.newContext()).newPage();
  await reuse.goto(link);
  await reuse.getByLabel("New password", { exact: true }).fill(`${next} again`);
  await reuse.getByLabel("Confirm new password").fill(`${next} again`);
  await reuse.getByRole("button", { name: "Set password" }).click();
  await expect(
    reuse.getByRole("alert").filter({ hasText: "This password reset link has already been used" }),
  ).toBeVisible();
});

// Journey: an administrator resets a user's password; the mail cannot be delivered, so Keyward
// shows the administrator the link to pass on (as it does when no mail server is configured).
// A link that went through the administrator's hands proves nothing about the mailbox.
test("an administrator's reset link reaches the user even when the mail bounces", async ({ browser }) => {
  const admin = await createTestUser({ roles: ["admin"], label: "admin" });
  const user = await createTestUser({ label: "bounced", domain: BOUNCE_DOMAIN });
  const next = `${user.password} anew`;

  const adminPage = await (await browser.newContext()).newPage();
  await adminPage.goto("/login");
  await signIn(adminPage, admin);
  await adminPage.goto(`/users/${user.id}`);
  await adminPage
    .getByRole("form", { name: "Reset password" })
    .getByRole("button", { name: "Reset password" })
    .click();
  await adminPage
    .getByRole("dialog", { name: `Reset the password of ${user.email}?` })
    .getByRole("button", { name: "Send reset link" })
    .click();
  await expect(
    adminPage
      .getByRole("status")
      .filter({ hasText: `The email could not be sent. Pass this reset link on to ${user.email} yourself.` }),
  ).toBeVisible();
  const link = await adminPage.getByLabel("Password reset link").inputValue();
  expect(link).toMatch(/\/reset-password#[\w-]{43}$/);

  const page = await (await browser.newContext()).newPage();
  await page.goto(link);
  await page.getByLabel("New password", { exact: true }).fill(next);
  await page.getByLabel("Confirm new password").fill(next);
  await page.getByRole("button", { name: "Set password" }).click();
  await expect(page).toHaveURL(/\/login\?reset=1/);
  await signIn(page, { email: user.email, password: next });
  await expect(page.getByRole("heading", { name: "My account" })).toBeVisible();
  await expect(
    page.getByRole("region", { name: "Profile" }).getByText("Not verified", { exact: true }),
  ).toBeVisible();
  await adminPage.reload();
  await expect(
    adminPage.getByRole("region", { name: "Profile" }).getByText("Not verified", { exact: true }),
  ).toBeVisible();
});
