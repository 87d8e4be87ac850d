import { createTestUser, expect, linkMailedTo, signIn, test } from "./fixtures";

// Journey (issue 15): a user proves their address from My account. "Verify your email" mails a
// one-time link through the real mail server; opening it does nothing until Verify is pressed (a
// mail scanner that fetches it leaves it working); pressed once, My account says Verified, and a
// second use says to send a new link.
test("a user verifies their email address with the link My account mails them", async ({ browser }) => {
  const user = await createTestUser({ label: "verifier" });

  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  await signIn(page, user);
  await page.goto("/account");
  const profile = page.getByRole("region", { name: "Profile" });
  await expect(profile.getByText("Not verified", { exact: true })).toBeVisible();
  await profile.getByRole("button", { name: "Verify your email" }).click();
  await expect(
    page.getByText(`A verification link is on its way to ${user.email}. It works once, for 24 hours.`),
  ).toBeVisible();

  const link = await linkMailedTo(user.email);
  expect(link).toMatch(/\/verify-email#[\w-]{43}$/);

  // Opened signed out, as from a phone's mail app: the page waits for the button.
  const mailApp = await (await browser.newContext()).newPage();
  await mailApp.goto(link);
  await expect(mailApp.getByRole("heading", { name: "Verify your email address" })).toBeVisible();
  await page.reload();
  await expect(profile.getByText("Not verified", { exact: true })).toBeVisible();
  await mailApp.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(
    mailApp.getByRole("status").filter({ hasText: "Your email address is verified" }),
  ).toBeVisible();
  // The secret leaves the address bar once used.
  expect(new URL(mailApp.url()).hash).toBe("");

  await page.reload();
  await expect(profile.getByText("Verified", { exact: true })).toBeVisible();
  await expect(
    profile.getByText("You proved this address is yours by using a link Keyward mailed to it."),
  ).toBeVisible();
  await expect(profile.getByRole("button", { name: "Verify your email" })).toHaveCount(0);

  // The link worked once.
  const reuse = await (await browser.newContext()).newPage();
  await reuse.goto(link);
  await reuse.getByRole("button", { name: "Verify", exact: true }).click();
  await expect(
    reuse.getByRole("alert").filter({ hasText: "This verification link has already been used" }),
  ).toContainText("Send a new one from My account.");
  await expect(reuse.getByRole("link", { name: "Go to My account" })).toBeVisible();
});
