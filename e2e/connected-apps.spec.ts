import { exampleApp, stopExampleApps } from "./example-process";
import { createTestUser, expect, submitSignIn, test } from "./fixtures";

// Journeys of issue 15: consent "once, remembered, revocable", and "revoking consent stops refresh at
// the next use". A user signs in to the example app (examples/sso-app, on openid-client) through
// Keyward, finds it under My account → Connected apps, takes back what they allowed, and the app
// feels it: a third-party app must ask again, and an app's refresh token no longer works.

test.afterAll(stopExampleApps);

const unique = () => Math.random().toString(36).slice(2, 8);

test("a user revokes a third-party app's consent under Connected apps, and the app must ask again", async ({
  page,
}) => {
  const user = await createTestUser({ label: "revoker" });
  const name = `Partner ${unique()}`;
  const { url } = await exampleApp({ firstParty: false, name, homepageUrl: "https://partner.example.com/" });

  await page.goto(url);
  await page.getByRole("link", { name: "Sign in with Keyward" }).click();
  await submitSignIn(page, user);
  await expect(page.getByRole("heading", { name: `Allow ${name} to use your account?` })).toBeVisible();
  await page.getByRole("button", { name: "Allow", exact: true }).click();
  await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();

  // The same browser is signed in to Keyward: My account lists the app with what it was allowed.
  await page.goto("/account");
  const menuLink = page
    .getByRole("navigation", { name: "Main" })
    .getByRole("link", { name: "Connected apps" });
  await menuLink.click();
  await expect(page.getByRole("heading", { name: "Connected apps", level: 1 })).toBeVisible();
  await expect(menuLink).toHaveAttribute("aria-current", "page");
  const entry = page
    .getByRole("list", { name: "Connected apps" })
    .getByRole("listitem")
    .filter({ has: page.getByRole("heading", { name }) });
  await expect(entry).toContainText("Allowed on");
  // When it last used it: the sign-in, written in a batch within seconds.
  await expect(async () => {
    await page.reload();
    await expect(entry).toContainText(/last used \w/, { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  const allowed = entry.getByRole("list", { name: "What it may do" });
  await expect(allowed.getByRole("listitem")).toHaveText([
    "Know who you are (your Keyward account id)",
    "See your name",
    "See your email address",
  ]);
  // A third-party app asked for no offline access: it cannot stay signed in.
  await expect(entry.getByText("Can stay signed in (refresh tokens)")).toHaveCount(0);

  // Behind a confirmation that names the app; cancelling changes nothing.
  await entry.getByRole("button", { name: "Revoke access" }).click();
  const dialog = page.getByRole("dialog", { name: `Revoke ${name}'s access?` });
  await expect(dialog).toContainText("it asks for your consent again");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
  await expect(entry).toBeVisible();
  await entry.getByRole("button", { name: "Revoke access" }).click();
  await dialog.getByRole("button", { name: "Revoke access" }).click();
  await expect(page.getByRole("heading", { name: "No apps use your Keyward account yet." })).toBeVisible();

  // Remembered no longer: the app's next sign-in asks for consent again.
  await page.goto(`${url}/login`);
  await expect(page.getByRole("heading", { name: `Allow ${name} to use your account?` })).toBeVisible();
});

test("revoking an app that can stay signed in stops its refresh at the next use", async ({ page }) => {
  const user = await createTestUser({ label: "refresher" });
  const name = `Intranet ${unique()}`;
  // The organization's own app: no consent screen, and a refresh token without offline_access
  // (examples/sso-app asks for none, so a third-party app gets no refresh token to lose).
  const { url } = await exampleApp({ firstParty: true, name });

  await page.goto(url);
  await page.getByRole("link", { name: "Sign in with Keyward" }).click();
  await submitSignIn(page, user);
  await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();
  await page.getByRole("button", { name: "Refresh the tokens" }).click();
  await expect(page.locator("#refresh-result")).toHaveText("Refreshed.");

  await page.goto("/account/apps");
  const entry = page
    .getByRole("list", { name: "Connected apps" })
    .getByRole("listitem")
    .filter({ has: page.getByRole("heading", { name }) });
  await expect(entry.getByText("Can stay signed in (refresh tokens)")).toBeVisible();
  await expect(entry.getByText("Your organization's app")).toBeVisible();
  await entry.getByRole("button", { name: "Revoke access" }).click();
  await page
    .getByRole("dialog", { name: `Revoke ${name}'s access?` })
    .getByRole("button", { name: "Revoke access" })
    .click();
  await expect(page.getByRole("heading", { name: "No apps use your Keyward account yet." })).toBeVisible();

  // The app still has its own session, but its refresh token is dead.
  await page.goto(url);
  await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();
  await page.getByRole("button", { name: "Refresh the tokens" }).click();
  await expect(page.locator("#refresh-result")).toHaveText("Refresh refused: invalid_grant");
});
