import { createTestUser, expect, signIn, test } from "./fixtures";

// Journey: a user sees where they are signed in and signs out a browser they do not recognise.
test("a user signs out another browser from My account; that browser is signed out on its next request", async ({
  browser,
}) => {
  const user = await createTestUser({ label: "member" });
  const laptop = await (await browser.newContext()).newPage();
  const phone = await (
    await browser.newContext({
      userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    })
  ).newPage();
  for (const page of [laptop, phone]) {
    await page.goto("/login");
    await signIn(page, user);
  }

  await laptop.goto("/account");
  const sessions = laptop.getByRole("table", { name: "Sessions" });
  await expect(sessions.getByRole("row")).toHaveCount(3); // header + two sessions
  await expect(sessions.getByRole("row", { name: /This browser/ })).toBeVisible();
  const other = sessions.getByRole("row", { name: /Firefox 133 on Linux/ });
  await other.getByRole("button", { name: "Sign out" }).click();
  await expect(laptop.getByRole("status").filter({ hasText: "Signed out of that session." })).toBeVisible();
  await expect(sessions.getByRole("row")).toHaveCount(2);

  await phone.goto("/account");
  await expect(phone).toHaveURL(/\/login/);
  await laptop.goto("/account");
  await expect(laptop.getByRole("heading", { name: "My account" })).toBeVisible();
});

// Journey: an administrator ends all of a user's sessions from the user's page.
test("an administrator ends all of a user's sessions", async ({ browser }) => {
  const admin = await createTestUser({ roles: ["admin"], label: "admin" });
  const member = await createTestUser({ label: "member" });
  const memberPage = await (await browser.newContext()).newPage();
  await memberPage.goto("/login");
  await signIn(memberPage, member);

  const adminPage = await (await browser.newContext()).newPage();
  await adminPage.goto("/login");
  await signIn(adminPage, admin);
  await adminPage.goto(`/users/${member.id}`);
  await adminPage.getByRole("button", { name: "End all sessions" }).click();
  await adminPage
    .getByRole("dialog", { name: `Sign ${member.name} out everywhere?` })
    .getByRole("button", { name: "End all sessions" })
    .click();
  await expect(adminPage.getByRole("status").filter({ hasText: "Ended 1 session." })).toBeVisible();
  await expect(adminPage.getByText("No active sessions.")).toBeVisible();

  await memberPage.goto("/account");
  await expect(memberPage).toHaveURL(/\/login/);
});
