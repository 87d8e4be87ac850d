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
