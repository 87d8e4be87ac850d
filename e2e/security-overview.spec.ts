import { builtInPermissionId, builtInGrantRows } from "../lib/apis/built-in-api.ts";
import { SYSTEM_CONTEXT } from "../lib/auth/principal.ts";
import { createSession, resolveSession } from "../lib/auth/sessions.ts";
import { newId } from "../lib/crypto/ids.ts";
import { db } from "../lib/db/client.ts";
import type { Permission } from "../lib/policy/permissions.ts";
import { setSetting } from "../lib/settings/settings.ts";
import { mintToken } from "../lib/tokens/mint-token.ts";
import { createTestUser, expect, signIn, test } from "./fixtures";

// Journey (issue 17): an administrator lands on the Overview, follows "Tokens unused for 30 days"
// and revokes one, then narrows an over-scoped token to what it used; the narrowed token keeps
// working for that and is refused the rest. Someone who may only read the audit log sees only the
// sign-in cards.

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

/** A user holding exactly these permissions through a role of their own, and a signed-in principal for them. */
async function developer(permissions: Permission[]) {
  const user = await createTestUser({ label: "overview-dev" });
  const role = await db.role.create({
    data: {
      id: newId("rol"),
      name: `Overview dev ${user.name}`,
      grants: { create: builtInGrantRows([...permissions, "tokens.create"]) },
    },
  });
  await db.roleAssignment.create({ data: { userId: user.id, roleId: role.id } });
  const session = await db.$transaction((tx) =>
    createSession(tx, { userId: user.id, amr: ["pwd"], mfa: false, context: SYSTEM_CONTEXT }),
  );
  const principal = await resolveSession(session.id);
  if (!principal) throw new Error("the seeding session did not resolve");
  return { user, principal, role };
}

test("an administrator follows idle tokens from the overview, revokes one and narrows another", async ({
  page,
}) => {
  // Per-permission use has been counted long enough to judge (the migration stamps its own start).
  // Through setSetting, so the server hears of it on the change feed as it would of any change.
  await db.$transaction((tx) => setSetting(tx, "permissionUseSince", daysAgo(400).toISOString()));
  const owner = await developer(["users.read", "users.write", "roles.read"]);
  const mint = (name: string, scopes: Permission[]) =>
    mintToken({ actor: owner.principal, context: SYSTEM_CONTEXT, name, scopes, expiration: "90" });
  const idle = await mint(`Old deploy key ${owner.user.name}`, ["users.read"]);
  const broad = await mint(`Reporting job ${owner.user.name}`, ["users.read", "users.write", "roles.read"]);
  // Not used for 400 days (first on the list, oldest first); the other used only users.read lately.
  await db.apiToken.update({
    where: { id: idle.id },
    data: { createdAt: daysAgo(500), lastUsedAt: daysAgo(400) },
  });
  await db.apiToken.update({
    where: { id: broad.id },
    data: { createdAt: daysAgo(60), lastUsedAt: daysAgo(1) },
  });
  for (const days of [1, 8, 20]) {
    await db.apiTokenPermissionUse.create({
      data: {
        tokenId: broad.id,
        permissionId: builtInPermissionId("users.read"),
        day: daysAgo(days),
        count: 4,
      },
    });
  }
  // The grant's last day of use, as the batched flush writes it beside the daily counts.
  await db.apiTokenPermission.update({
    where: { tokenId_permissionId: { tokenId: broad.id, permissionId: builtInPermissionId("users.read") } },
    data: { lastUsedOn: daysAgo(1) },
  });

  const admin = await createTestUser({ roles: ["admin"], label: "overview-admin" });
  await page.goto("/login");
  await signIn(page, admin);
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  const credentials = page.getByRole("region", { name: "Credentials at risk", exact: true });
  await credentials.getByRole("link", { name: /Tokens unused for 30 days/ }).click();
  await expect(page.getByRole("heading", { name: "Tokens unused for 30 days", level: 1 })).toBeVisible();

  const idleRow = page.getByRole("row").filter({ hasText: idle.name });
  await expect(idleRow).toContainText(owner.user.email);
  await idleRow.getByRole("button", { name: "Revoke", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Revoke token" }).click();
  await expect(page.getByText("Token revoked: it stopped working now.")).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: idle.name })).toHaveCount(0);
  const revoked = await page.request.get("/api/v1/me", {
    headers: { authorization: `Bearer ${idle.token}` },
  });
  expect(revoked.status()).toBe(401);

  await page.getByRole("link", { name: "Overview", exact: true }).first().click();
  await page
    .getByRole("region", { name: "Least privilege", exact: true })
    .getByRole("link", { name: /Tokens holding permissions they do not use/ })
    .click();
  await expect(
    page.getByRole("heading", { name: "Tokens holding permissions they do not use", level: 1 }),
  ).toBeVisible();
  // The server's settings cache may still hold the old start of counting for a few seconds.
  const broadRow = page.getByRole("row").filter({ hasText: broad.name });
  await expect(async () => {
    await page.reload();
    await expect(broadRow).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(broadRow.getByRole("cell").nth(3)).toHaveText("users.read");
  await expect(broadRow.getByRole("cell").nth(4)).toHaveText("roles.read, users.write");
  await broadRow.getByRole("button", { name: "Narrow", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("It keeps users.read and loses roles.read, users.write.");
  await dialog.getByRole("button", { name: "Narrow token" }).click();
  await expect(page.getByText("Token narrowed: it keeps users.read.")).toBeVisible();

  // The same secret works for what it kept and is refused the rest, on the very next request.
  const headers = { authorization: `Bearer ${broad.token}` };
  expect((await page.request.get("/api/v1/users", { headers })).status()).toBe(200);
  expect((await page.request.get("/api/v1/roles", { headers })).status()).toBe(403);
  const events = await db.auditEvent.findMany({
    where: { targetId: { in: [idle.id, broad.id] }, action: { in: ["token.revoked", "token.narrowed"] } },
    select: { action: true, targetId: true },
  });
  expect(events).toEqual(
    expect.arrayContaining([
      { action: "token.revoked", targetId: idle.id },
      { action: "token.narrowed", targetId: broad.id },
    ]),
  );
});

test("someone who may only read the audit log sees only the sign-in cards", async ({ page }) => {
  const { user } = await developer(["audit.read"]);
  await page.goto("/login");
  await signIn(page, user);
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  await expect(page.getByRole("region", { name: "Sign-in health", exact: true })).toBeVisible();
  await expect(page.getByRole("figure", { name: "Sign-ins and failures, last 30 days" })).toBeVisible();
  for (const card of ["MFA", "Accounts", "Credentials at risk", "Least privilege"])
    await expect(page.getByRole("region", { name: card, exact: true })).toHaveCount(0);
  // The chart's figures are also a table, for those who would rather read.
  await page.getByText("Sign-ins and failures, last 30 days: show as a table").click();
  await expect(page.getByRole("table", { name: "Sign-ins and failures, last 30 days" })).toBeVisible();
  // A list they may not read is refused, not shown empty.
  const response = await page.goto("/overview/risks/tokens.idle");
  expect(response?.status()).toBe(403);
});

test("an owner turns their weekly credential digest off in My account, and it stays off", async ({
  page,
}) => {
  const { user } = await developer([]);
  await page.goto("/login");
  await signIn(page, user);
  await expect(page.getByRole("heading", { name: "My account", level: 1 })).toBeVisible();
  const notifications = page.getByRole("form", { name: "Notifications" });
  const digest = notifications.getByRole("checkbox", { name: "Weekly credential digest" });
  await expect(digest).toBeChecked();
  // Only those who may see an attack are offered failure alerts.
  await expect(notifications.getByRole("checkbox", { name: "Sign-in failure alerts" })).toHaveCount(0);
  await digest.uncheck();
  await notifications.getByRole("button", { name: "Save notifications" }).click();
  await expect(page.getByRole("status").filter({ hasText: /saved/i })).toBeVisible();
  await page.reload();
  await expect(page.getByRole("checkbox", { name: "Weekly credential digest" })).not.toBeChecked();
  const stored = await db.user.findUniqueOrThrow({
    where: { id: user.id },
    select: { credentialDigest: true },
  });
  expect(stored.credentialDigest).toBe(false);
});
