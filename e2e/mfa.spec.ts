import { builtInGrantRows } from "../lib/apis/built-in-api.ts";
import { randomBytes } from "node:crypto";

import { db } from "../lib/db/client.ts";
import { codeFor, createTestUser, enrollAuthenticator, expect, signIn, submitSignIn, test } from "./fixtures";

// Journey: a user turns on an authenticator app, then signs in with a code; a replayed code and a recovery code behave as promised.
test("TOTP end to end: enroll, sign in with a code, replay refused, recovery code works once", async ({
  browser,
}) => {
  const user = await createTestUser();
  const page = await (await browser.newContext()).newPage();
  await page.goto("/login");
  await signIn(page, user);
  const { secret, recoveryCodes } = await enrollAuthenticator(page);
  await expect(page.getByText("Authenticator app", { exact: false }).first()).toBeVisible();
  await expect(page.getByText("10 recovery codes left.")).toBeVisible();

  // A new browser: password, then the code from the app (the next time step: the enrollment code was used).
  const second = await (await browser.newContext()).newPage();
  await second.goto("/login");
  await submitSignIn(second, user);
  await expect(second.getByLabel("Authenticator code")).toBeVisible();
  const code = await codeFor(secret, 30);
  await second.getByLabel("Authenticator code").fill(code);
  await second.getByRole("button", { name: "Continue" }).click();
  await expect(second.getByRole("heading", { name: "My account" })).toBeVisible();

  // The same code again is a replay.
  const third = await (await browser.newContext()).newPage();
  await third.goto("/login");
  await submitSignIn(third, user);
  await third.getByLabel("Authenticator code").fill(code);
  await third.getByRole("button", { name: "Continue" }).click();
  await expect(
    third.getByRole("alert").filter({ hasText: "That code is not right. 4 tries left." }),
  ).toBeVisible();

  // A recovery code instead, once.
  await third.getByRole("button", { name: "Use a recovery code instead" }).click();
  await third.getByLabel("Recovery code").fill(recoveryCodes[0] ?? "");
  await third.getByRole("button", { name: "Continue" }).click();
  await expect(third.getByRole("heading", { name: "My account" })).toBeVisible();
  expect(await db.recoveryCode.count({ where: { userId: user.id, usedAt: null } })).toBe(9);
});

test("a role that requires MFA sends its holder to enrollment from every page until they enroll", async ({
  page,
}) => {
  const role = await db.role.create({
    data: {
      id: `rol_e2e${randomBytes(4).toString("hex")}`,
      name: `Strict ${randomBytes(3).toString("hex")}`,
      grants: { create: builtInGrantRows(["audit.read"]) },
      requiresMfa: true,
    },
  });
  const user = await createTestUser();
  await db.roleAssignment.create({ data: { userId: user.id, roleId: role.id } });
  await page.goto("/login");
  await signIn(page, user);
  await expect(page).toHaveURL(/\/account\/security\?required=1$/);
  await expect(
    page.getByRole("alert").filter({ hasText: "Your roles require a second factor" }),
  ).toBeVisible();
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link")).toHaveText(["Security"]);
  for (const path of ["/audit", "/account", "/users"]) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/account\/security\?required=1$/);
  }
  expect((await page.request.get("/api/v1/me")).status()).toBe(403);

  await enrollAuthenticator(page);
  await page.goto("/audit");
  await expect(page.getByRole("heading", { name: "Audit log" })).toBeVisible();
});

test("a sensitive action after the step-up window asks to confirm it is you, then proceeds", async ({
  page,
}) => {
  const admin = await createTestUser({ roles: ["admin"], label: "admin" });
  const target = await createTestUser({ label: "target" });
  await page.goto("/login");
  await signIn(page, admin);
  // Age the session's authentication past the 10-minute window.
  await db.session.updateMany({
    where: { userId: admin.id },
    data: { authTime: new Date(Date.now() - 11 * 60_000) },
  });
  await page.goto(`/users/${target.id}`);
  await page.getByRole("button", { name: "Disable user" }).click();
  await page
    .getByRole("dialog", { name: `Disable ${target.email}?` })
    .getByRole("button", { name: "Disable" })
    .click();
  const confirm = page.getByRole("dialog", { name: "Confirm it is you" });
  await expect(confirm).toBeVisible();
  await confirm.getByLabel("Your password").fill("wrong password");
  await confirm.getByRole("button", { name: "Confirm" }).click();
  await expect(confirm.getByText("That password is not right.")).toBeVisible();
  await confirm.getByLabel("Your password").fill(admin.password);
  await confirm.getByRole("button", { name: "Confirm" }).click();
  await expect(page.getByRole("status").filter({ hasText: "User disabled" })).toBeVisible();
  expect((await db.user.findUniqueOrThrow({ where: { id: target.id } })).status).toBe("disabled");
});
