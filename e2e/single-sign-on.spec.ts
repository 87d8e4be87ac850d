import { db } from "../lib/db/client.ts";
import { makeApi, makeApiRole } from "../test/api-factories.ts";
import { makeRole } from "../test/factories.ts";
import { exampleApp, stopExampleApps } from "./example-process";
import {
  addPasskey,
  createTestUser,
  enrollAuthenticator,
  expect,
  signIn,
  submitSignIn,
  test,
  type TestUser,
  virtualAuthenticator,
} from "./fixtures";
import { startOrdersApi } from "./orders-api-process";

// Journeys of issue 15: the example app (examples/sso-app, on openid-client) signs its users in
// through Keyward by OpenID Connect, in a real browser, with Keyward's own sign-in, enrollment,
// consent and role rules; what the app learns is what its page shows.

test.afterAll(stopExampleApps);

async function userWithRole(roleId: string): Promise<TestUser> {
  const user = await createTestUser({ label: "member" });
  await db.roleAssignment.create({ data: { userId: user.id, roleId } });
  return user;
}

test("a user whose role requires MFA signs in to an app through Keyward, enrolling first, and the app can refresh", async ({
  page,
}) => {
  const role = await makeRole([]);
  await db.role.update({ where: { id: role.id }, data: { requiresMfa: true } });
  const user = await userWithRole(role.id);
  const { url } = await exampleApp({ firstParty: true, name: `Intranet ${role.id.slice(-6)}` });

  await page.goto(url);
  await page.getByRole("link", { name: "Sign in with Keyward" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await submitSignIn(page, user);
  // The role requires a second factor: Keyward sends the user through enrollment first.
  await expect(page.getByText("Set one up below to continue signing in to the app")).toBeVisible();
  await enrollAuthenticator(page, { onPage: true });
  await page.getByRole("link", { name: "Continue signing in" }).click();

  await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();
  const told = page.getByRole("table", { name: "What Keyward told this app" });
  await expect(told.getByRole("row", { name: /Account/ })).toContainText(user.id);
  await expect(told.getByRole("row", { name: /Email/ })).toContainText(user.email);
  await expect(told.getByRole("row", { name: /acr/ })).toContainText("urn:keyward:acr:");
  await expect(told.getByRole("row", { name: "Refresh token yes" })).toBeVisible();
  await page.getByRole("button", { name: "Refresh the tokens" }).click();
  await expect(page.locator("#refresh-result")).toHaveText("Refreshed.");

  // Disabled in Keyward: the app's next refresh is refused.
  await db.user.update({ where: { id: user.id }, data: { status: "disabled" } });
  await page.getByRole("button", { name: "Refresh the tokens" }).click();
  await expect(page.locator("#refresh-result")).toHaveText("Refresh refused: invalid_grant");
});

test("an app for chosen roles shows others a page, and the app hears access_denied", async ({ page }) => {
  const role = await makeRole([]);
  const outsider = await createTestUser({ label: "outsider" });
  const name = `Payroll ${role.id.slice(-6)}`;
  const { url } = await exampleApp({
    firstParty: true,
    name,
    restrictedToRoles: true,
    signInRoleIds: [role.id],
  });

  await page.goto(url);
  await page.getByRole("link", { name: "Sign in with Keyward" }).click();
  await submitSignIn(page, outsider);
  await expect(page.getByRole("heading", { name: `You can't sign in to ${name}` })).toBeVisible();
  await expect(page.getByText(role.name)).toBeVisible();
  await page.getByRole("button", { name: `Return to ${name}` }).click();
  await expect(page.getByRole("alert")).toContainText("access_denied");

  // A holder of the role passes, on the same browser's Keyward session? No: a new browser, a member.
  const member = await userWithRole(role.id);
  const other = await (await page.context().browser()?.newContext())?.newPage();
  if (!other) throw new Error("no second browser context");
  await other.goto(url);
  await other.getByRole("link", { name: "Sign in with Keyward" }).click();
  await submitSignIn(other, member);
  await expect(other.getByRole("heading", { name: `Hello, ${member.name}` })).toBeVisible();
});

test("a third-party app asks for consent once, remembered in every browser; declining tells the app access_denied", async ({
  page,
  browser,
}) => {
  const user = await createTestUser({ label: "consenter" });
  const name = `Partner ${Math.random().toString(36).slice(2, 8)}`;
  const { url, app } = await exampleApp({
    firstParty: false,
    name,
    homepageUrl: "https://partner.example.com/",
    logoUrl: "https://partner.example.com/logo.png",
  });
  // The CSP lets the app's https logo load (the host does not resolve here: that is another error).
  const refused: string[] = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
  });

  await page.goto(url);
  await page.getByRole("link", { name: "Sign in with Keyward" }).click();
  await submitSignIn(page, user);
  await expect(page.getByRole("heading", { name: `Allow ${name} to use your account?` })).toBeVisible();
  await expect(page.getByText("See your email address")).toBeVisible();
  await expect(page.getByRole("img", { name: `${name} logo` })).toHaveAttribute(
    "src",
    "https://partner.example.com/logo.png",
  );
  expect(refused).toEqual([]);
  await page.getByRole("button", { name: "Don't allow" }).click();
  await expect(page.getByRole("alert")).toContainText("access_denied");

  await page.getByRole("link", { name: "Sign in with Keyward" }).click();
  await page.getByRole("button", { name: "Allow", exact: true }).click();
  await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();
  // Remembered: signing in again asks nothing (single sign-on, consent kept).
  await page.goto(`${url}/login`);
  await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();
  // Consent is the user's, not the browser's: in another one they sign in, and are not asked again.
  const elsewhere = await browser.newContext();
  const other = await elsewhere.newPage();
  await other.goto(url);
  await other.getByRole("link", { name: "Sign in with Keyward" }).click();
  await submitSignIn(other, user);
  await expect(other.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();
  await elsewhere.close();

  // The audit log tells it, each event targeting the app: declined, given, three sign-ins.
  const events = await db.auditEvent.findMany({
    where: { targetKind: "app", targetId: app.id, action: { not: "app.created" } },
    orderBy: { id: "asc" },
    select: { action: true, actorId: true },
  });
  expect(events.map((event) => event.action)).toEqual([
    "app.consent_declined",
    "app.consent_given",
    "app.sign_in",
    "app.sign_in",
    "app.sign_in",
  ]);
  expect(new Set(events.map((event) => event.actorId))).toEqual(new Set([user.id]));
});

test("an app asking for a fresh sign-in (prompt=login) gets one, or access_denied when the user cancels", async ({
  page,
}) => {
  const user = await createTestUser({ label: "stepper" });
  const name = `Ledger ${Math.random().toString(36).slice(2, 8)}`;
  const { url } = await exampleApp({ firstParty: true, name });
  // The app names who is signing in (login_hint): Keyward's form has the address already.
  await page.goto(`${url}/login?login_hint=${encodeURIComponent(user.email)}`);
  await expect(page.getByLabel("Email")).toHaveValue(user.email);
  await submitSignIn(page, user);
  await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();
  const signedInAt = page
    .getByRole("table", { name: "What Keyward told this app" })
    .getByRole("row", { name: /Signed in at/ });
  const first = await signedInAt.innerText();

  await page.getByRole("link", { name: "Sign in again", exact: true }).click();
  await expect(page.getByRole("heading", { name: "Confirm it is you", level: 1 })).toBeVisible();
  await expect(page.getByText(`${name} asks you to sign in again`)).toBeVisible();
  const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
  await dialog.getByLabel("Your password").fill(user.password);
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();
  await expect(signedInAt).not.toHaveText(first);

  await page.getByRole("link", { name: "Sign in again", exact: true }).click();
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("button", { name: `Cancel and return to ${name}` }).click();
  await expect(page.getByRole("alert")).toContainText("access_denied");
});

test("an app calls a Protected API for its user with DPoP-bound tokens; the API asks for a recent sign-in (RFC 9470) and gets one", async ({
  page,
}) => {
  const orders = await makeApi({ label: "Orders", permissions: ["orders.read", "orders.write"] });
  const ids = ["orders.read", "orders.write"].map((name) => String(orders.permissionIds[name]));
  const user = await userWithRole((await makeApiRole(ids)).id);
  // Verifies delegated JWTs with the JWKS alone; no introspection credential needed for them.
  const ordersApi = await startOrdersApi({
    audience: orders.identifier,
    clientId: "unused",
    clientSecret: "unused",
    stepUpMaxAge: 300,
    // RFC 9449 end to end: the API takes only tokens bound to the app's key, with a proof each time.
    requireDpop: true,
  });
  try {
    const name = `Shop ${Math.random().toString(36).slice(2, 8)}`;
    const { url, app } = await exampleApp(
      { firstParty: true, name },
      {
        API_RESOURCE: orders.identifier,
        API_SCOPES: "orders.read orders.write",
        API_URL: ordersApi.url,
        DPOP: "1",
      },
    );
    await db.applicationPermission.createMany({
      data: ids.map((permissionId) => ({ appId: app.id, permissionId })),
    });

    // Signed in to Keyward an hour ago: the app's tokens say so (auth_time).
    await page.goto("/login");
    await signIn(page, user);
    await db.session.updateMany({
      where: { userId: user.id, revokedAt: null },
      data: { authTime: new Date(Date.now() - 3_600_000) },
    });
    await page.goto(url);
    await page.getByRole("link", { name: "Sign in with Keyward" }).click();
    await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();

    // The app's tokens are bound to its session's DPoP key.
    const told = page.getByRole("table", { name: "What Keyward told this app" });
    await expect(told.getByRole("row", { name: /Token type/ })).toContainText(/dpop/i);
    await page.getByRole("button", { name: "List orders" }).click();
    await expect(page.locator("#api-result")).toHaveText("200 orders listed");
    await page.getByRole("button", { name: "Place an order" }).click();
    await expect(page.locator("#api-result")).toHaveText("The Orders API asks for a more recent sign-in.");

    await page.getByRole("link", { name: "Sign in again as the Orders API asks" }).click();
    await expect(page.getByText(`${name} asks for a recent sign-in`)).toBeVisible();
    const dialog = page.getByRole("dialog", { name: "Confirm it is you" });
    await dialog.getByLabel("Your password").fill(user.password);
    await dialog.getByRole("button", { name: "Confirm" }).click();
    await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();
    await page.getByRole("button", { name: "Place an order" }).click();
    await expect(page.locator("#api-result")).toHaveText("201 order placed");
  } finally {
    ordersApi.stop();
  }
});

test("signing out: of an app and then of Keyward (RP-initiated logout), or of Keyward, which signs the apps out (back-channel)", async ({
  page,
}) => {
  const user = await createTestUser({ label: "leaver" });
  const name = `Wiki ${Math.random().toString(36).slice(2, 8)}`;
  const { url, app } = await exampleApp({ firstParty: true, name, postLogoutRedirectUris: [] });
  await db.application.update({
    where: { id: app.id },
    data: {
      postLogoutRedirectUris: [`${url}/signed-out`],
      backchannelLogoutUri: `${url}/backchannel-logout`,
    },
  });

  // RP-initiated logout: out of the app, and Keyward asks about itself.
  await page.goto(url);
  await page.getByRole("link", { name: "Sign in with Keyward" }).click();
  await submitSignIn(page, user);
  await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();
  await page.getByRole("link", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign out of Keyward?" })).toBeVisible();
  await page.getByRole("button", { name: "Yes, sign out of Keyward" }).click();
  await expect(page.getByRole("heading", { name: "Signed out" })).toBeVisible();
  await page.goto("/account");
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();

  // Back-channel: signed in to the app again, then out of Keyward itself; the app hears of it.
  await page.goto(url);
  await page.getByRole("link", { name: "Sign in with Keyward" }).click();
  await submitSignIn(page, user);
  await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();
  await page.goto("/account");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  await page.goto(url);
  await expect(page.getByText("You are not signed in.")).toBeVisible();
});

test("a device-bound passkey steps a sign-in up to phishing-resistant (acr_values=phr gets phrh), and signs in to an app without a password", async ({
  page,
}) => {
  const user = await createTestUser({ label: "keyholder" });
  await virtualAuthenticator(page, { resident: true, userVerification: true, transport: "internal" });
  await page.goto("/login");
  await signIn(page, user);
  await addPasskey(page, "Laptop passkey");
  const name = `Vault ${Math.random().toString(36).slice(2, 8)}`;
  const { url, app } = await exampleApp({ firstParty: true, name });
  await db.application.update({
    where: { id: app.id },
    data: { postLogoutRedirectUris: [`${url}/signed-out`] },
  });
  const told = page.getByRole("table", { name: "What Keyward told this app" });

  // Single sign-on from the password session: the weakest acr.
  await page.goto(url);
  await page.getByRole("link", { name: "Sign in with Keyward" }).click();
  await expect(told.getByRole("row", { name: /acr/ })).toContainText("urn:keyward:acr:pwd");

  // The app asks for phishing-resistant: Keyward asks for the passkey.
  await page.getByRole("link", { name: "Sign in again with a passkey" }).click();
  await expect(page.getByText(`${name} asks for a stronger sign-in`)).toBeVisible();
  await page
    .getByRole("dialog", { name: "Confirm it is you" })
    .getByRole("button", { name: "Use a passkey instead" })
    .click();
  // The virtual authenticator's key cannot be backed up (singleDevice): hardware-bound, phrh.
  await expect(told.getByRole("row", { name: /acr/ })).toContainText("phrh");
  await expect(told.getByRole("row", { name: /amr/ })).toContainText("hwk");

  // Out of the app and of Keyward; then in again with the passkey alone.
  await page.getByRole("link", { name: "Sign out" }).click();
  await page.getByRole("button", { name: "Yes, sign out of Keyward" }).click();
  await expect(page.getByRole("heading", { name: "Signed out" })).toBeVisible();
  await page.goto(`${url}/login`);
  await page.getByRole("button", { name: "Sign in with a passkey" }).click();
  await expect(page.getByRole("heading", { name: `Hello, ${user.name}` })).toBeVisible();
  await expect(told.getByRole("row", { name: /acr/ })).toContainText("phrh");
  await expect(told.getByRole("row", { name: /amr/ })).not.toContainText("pwd");
});
