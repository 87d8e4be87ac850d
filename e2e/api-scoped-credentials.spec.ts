import { decodeJwt } from "jose";

import { db } from "../lib/db/client.ts";
import { makeApi, makeApiRole } from "../test/api-factories.ts";
import { axeViolations } from "./axe";
import { createTestUser, expect, signIn, test } from "./fixtures";

// Journey (issue 14, item 4): a developer whose role grants orders.read of the Orders API mints a
// personal token and registers a client for it, the client gets a token for that API alone, and
// once the API is disabled both pages say why the permission no longer works.
test("a developer scopes a token and a client to another API, and their pages say why it stops", async ({
  page,
}) => {
  const orders = await makeApi({
    permissions: ["orders.read", "orders.write"],
    accessTokenTtlSeconds: 300,
  });
  const developer = await createTestUser({ roles: ["developer"], label: "orders-dev" });
  const role = await makeApiRole([orders.permissionIds["orders.read"] ?? ""]);
  await db.roleAssignment.create({ data: { userId: developer.id, roleId: role.id } });

  await page.goto("/login");
  await signIn(page, developer);
  await page.goto("/tokens");
  const form = page.getByRole("form", { name: "New token" });
  await form.getByLabel("Name").fill("Orders report");
  const picker = form.getByRole("group", { name: /Permissions of other APIs/ });
  await picker.getByRole("searchbox", { name: "Search APIs and permissions" }).fill(orders.name);
  const api = picker.getByRole("group", { name: new RegExp(orders.name) });
  await api.getByRole("checkbox", { name: /orders\.read/ }).check();
  await form.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByLabel("Your new token")).toHaveValue(/^kw_pat_/);
  const row = page.getByRole("row", { name: /Orders report/ });
  await expect(row).toContainText(orders.name);
  await expect(row).toContainText("orders.read");
  await expect(row).not.toContainText("Not effective");

  await page.goto("/clients/new");
  await expect(page.getByRole("heading", { name: "Register an API client" })).toBeVisible();
  await page.getByLabel("Name").fill("Orders sync");
  const clientPicker = page.getByRole("group", { name: /Allowed permissions of other APIs/ });
  await clientPicker.getByRole("searchbox", { name: "Search APIs and permissions" }).fill(orders.name);
  await clientPicker
    .getByRole("group", { name: new RegExp(orders.name) })
    .getByRole("checkbox", { name: /orders\.read/ })
    .check();
  await page.getByRole("button", { name: "Register client" }).click();
  const clientId = await page.getByLabel("Client ID").inputValue();
  const secret = await page.getByLabel("Client secret").inputValue();

  // Its only API: no resource needed; the token's audience is that API, its scope the bare name.
  const issued = await page.request.post("/api/oauth/token", {
    form: { grant_type: "client_credentials" },
    headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}` },
  });
  expect(issued.status()).toBe(200);
  const claims = decodeJwt(((await issued.json()) as { access_token: string }).access_token);
  expect(claims).toMatchObject({ aud: orders.identifier, scope: "orders.read" });
  expect(Number(claims.exp) - Number(claims.iat)).toBe(300);

  // The API is disabled: the credentials' pages say so (they read the registry as it is now).
  await db.api.update({ where: { id: orders.id }, data: { disabledAt: new Date() } });
  await page.goto(`/clients/${clientId}`);
  const scopes = page.getByTestId("api-scopes");
  await expect(scopes).toContainText("Not effective");
  await expect(scopes).toContainText(`the API "${orders.name}" is disabled`);
  expect(await axeViolations(page)).toEqual([]);
  await page.goto("/tokens");
  await expect(page.getByRole("row", { name: /Orders report/ })).toContainText(
    `the API "${orders.name}" is disabled`,
  );
  expect(await axeViolations(page)).toEqual([]);
  await page.emulateMedia({ colorScheme: "dark" });
  await page.reload();
  expect(await axeViolations(page)).toEqual([]);
});
