import { createTestUser, expect, signIn, submitSignIn, test } from "./fixtures";

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

// Journey: a user forgot their password; an administrator (no mail server here) creates a reset
// link and passes it on; the link sets a new password once and signs out every browser.
test("an administrator's reset link lets a user choose a new password once and signs them out everywhere", async ({
  browser,
}) => {
  const admin = await createTestUser({ roles: ["admin"], label: "admin" });
  const user = await createTestUser({ label: "forgetful" });
  const next = `${user.password} anew`;

  const userPage = await (await browser.newContext()).newPage();
  await userPage.goto("/login");
  await signIn(userPage, user);

  // Without a mail server, the sign-in page's "Forgot your password?" points to an administrator.
  const resetPage = await (await browser.newContext()).newPage();
  await resetPage.goto("/login");
  await resetPage.getByRole("link", { name: "Forgot your password?" }).click();
  await expect(resetPage.getByText("Ask an administrator for a password reset link")).toBeVisible();

  const adminPage = await (await browser.newContext()).newPage();
  await adminPage.goto("/login");
  await signIn(adminPage, admin);
  await adminPage.goto(`/users/${user.id}`);
  await adminPage
    .getByRole("form", { name: "Reset password" })
    .getByRole("button", { name: "Reset password" })
    .click();
  const dialog = adminPage.getByRole("dialog", { name: `Reset the password of ${user.email}?` });
  await dialog.getByRole("button", { name: "Create reset link" }).click();
  const link = await adminPage.getByLabel("Password reset link").inputValue();
  expect(link).toMatch(/\/reset-password#[\w-]{43}$/);

  // The person opens the link in a browser that is not signed in.
  await resetPage.goto(link);
  await expect(resetPage.getByRole("heading", { name: "Choose a new password" })).toBeVisible();
  await resetPage.getByLabel("New password", { exact: true }).fill("password1234");
  await resetPage.getByLabel("Confirm new password").fill("password1234");
  await resetPage.getByRole("button", { name: "Set password" }).click();
  await expect(resetPage.getByRole("alert").filter({ hasText: "lists of leaked passwords" })).toBeVisible();
  await resetPage.getByLabel("New password", { exact: true }).fill(next);
  await resetPage.getByLabel("Confirm new password").fill(next);
  await resetPage.getByRole("button", { name: "Set password" }).click();
  await expect(resetPage).toHaveURL(/\/login\?reset=1/);
  await expect(resetPage.getByText("Your new password is set and every session has ended.")).toBeVisible();

  // The browser that was signed in is signed out; the old password is refused, the new one works.
  await userPage.goto("/account");
  await expect(userPage).toHaveURL(/\/login/);
  await submitSignIn(userPage, user);
  await expect(
    userPage.getByRole("alert").filter({ hasText: "Email or password is incorrect." }),
  ).toBeVisible();
  await signIn(userPage, { email: user.email, password: next });
  await expect(userPage.getByRole("heading", { name: "My account" })).toBeVisible();

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
