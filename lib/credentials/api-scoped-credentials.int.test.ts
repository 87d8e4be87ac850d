import { describe, expect, it } from "vitest";

import { GET as getTokenRoute } from "../../app/api/v1/tokens/[tokenId]/route.ts";
import { GET as getClientRoute } from "../../app/api/v1/clients/[clientId]/route.ts";
import { developerHolding, makeApi } from "../../test/api-factories.ts";
import { developerWith, requestClientToken } from "../../test/credentials.ts";
import { codeOf, makePrincipal, present, signedInCookie, TEST_CONTEXT } from "../../test/factories.ts";
import { call } from "../../test/requests.ts";
import type { UserPrincipal } from "../auth/principal.ts";
import { AppError } from "../errors/app-error.ts";
import { getClient } from "../clients/list-clients.ts";
import { createClient, rotateClientSecret, updateClient } from "../clients/manage-clients.ts";
import { db } from "../db/client.ts";
import { getToken } from "../tokens/list-tokens.ts";
import { mintToken } from "../tokens/mint-token.ts";
import { removeRole } from "../users/role-assignments.ts";
import { credentialsChanged } from "./change-feed.ts";

/*
 * Guarantee: nobody puts into a personal token or allows to an API client a permission of another
 * API they may not give (issue 14: a token within its owner's current holdings; a client within
 * what its creator holds or owns), and a credential's page says which rule keeps a stored scope
 * from working now.
 */

const context = TEST_CONTEXT;

function mint(actor: UserPrincipal, apiPermissionIds: string[]) {
  return mintToken({ actor, name: "t", scopes: [], apiPermissionIds, expiration: "30", context });
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, message: error.message };
    throw error;
  }
  return { code: "ok", message: "" };
}

function allow(actor: UserPrincipal, apiPermissionIds: string[], scopes: "clients.read"[] = []) {
  return createClient({ actor, name: "c", description: "", scopes, apiPermissionIds, context });
}

describe("personal tokens carrying other APIs' permissions", () => {
  it("carries what the owner holds, and refuses naming the permission and the rule otherwise", async () => {
    const orders = await makeApi({
      permissions: ["orders.read", "orders.write"],
      deprecated: ["orders.old"],
    });
    const noPats = await makeApi({
      permissions: ["orders.read", "orders.write"],
      label: "Payroll",
      allowPersonalTokens: false,
    });
    const off = await makeApi({
      permissions: ["orders.read", "orders.write"],
      label: "Legacy",
      disabled: true,
    });
    const read = present(orders.permissionIds["orders.read"]);
    const dev = await developerHolding([
      read,
      present(orders.permissionIds["orders.old"]),
      present(noPats.permissionIds["orders.read"]),
      present(off.permissionIds["orders.read"]),
    ]);

    const minted = await mint(dev.principal, [read]);
    expect(minted.apiPermissions).toEqual([
      {
        id: read,
        api: { id: orders.id, name: orders.name, identifier: orders.identifier },
        name: "orders.read",
      },
    ]);
    expect(await db.apiTokenPermission.count({ where: { tokenId: minted.id } })).toBe(1);

    const before = await db.apiToken.count({ where: { userId: dev.user.id } });
    const cases: [string, string, string, RegExp][] = [
      [
        "not held",
        present(orders.permissionIds["orders.write"]),
        "forbidden",
        new RegExp(`does not hold: ${orders.name}: orders\\.write`),
      ],
      [
        "no personal tokens",
        present(noPats.permissionIds["orders.read"]),
        "invalid",
        new RegExp(
          `${noPats.name}: orders\\.read \\(the API "${noPats.name}" does not allow personal tokens\\)`,
        ),
      ],
      ["deprecated", present(orders.permissionIds["orders.old"]), "invalid", /orders\.old \(deprecated/],
      [
        "disabled API",
        present(off.permissionIds["orders.read"]),
        "invalid",
        new RegExp(`the API "${off.name}" is disabled`),
      ],
      ["unknown", "perm_doesnotexist", "invalid", /does not exist/],
    ];
    for (const [name, id, code, message] of cases) {
      const refused = await refusal(mint(dev.principal, [id]));
      expect(refused.code, name).toBe(code);
      expect(refused.message, name).toMatch(message);
    }
    expect(await db.apiToken.count({ where: { userId: dev.user.id } })).toBe(before);
  });

  it("does not count owning the API: a token acts for its owner", async () => {
    const { principal, user } = await developerWith([]);
    const mine = await makeApi({ permissions: ["orders.read", "orders.write"], ownerId: user.id });
    const refused = await refusal(mint(principal, [present(mine.permissionIds["orders.read"])]));
    expect(refused.code).toBe("forbidden");
    // An administrator holds every permission of every API.
    const admin = await makePrincipal(["admin"]);
    expect(await codeOf(mint(admin.principal, [present(mine.permissionIds["orders.read"])]))).toBe("ok");
  });

  it("shows on the token why a stored scope stopped working: roles, deprecation, personal tokens, disabling", async () => {
    const orders = await makeApi({ permissions: ["a.read", "b.read", "c.read", "d.read"] });
    const p = (name: string) => present(orders.permissionIds[name]);
    const dev = await developerHolding([p("a.read"), p("b.read"), p("c.read"), p("d.read")]);
    const minted = await mint(dev.principal, [p("a.read"), p("b.read")]);
    const view = async () => (await getToken(dev.principal, minted.id)).apiPermissions;
    expect((await view()).map((scope) => [scope.name, scope.effective, scope.reason])).toEqual([
      ["a.read", true, undefined],
      ["b.read", true, undefined],
    ]);

    await db.apiPermission.update({ where: { id: p("b.read") }, data: { deprecatedAt: new Date() } });
    expect((await view()).find((scope) => scope.name === "b.read")).toMatchObject({
      deprecated: true,
      effective: false,
      reason: expect.stringMatching(/^deprecated/) as unknown,
    });

    const admin = await makePrincipal(["admin"]);
    await removeRole({ actor: admin.principal, userId: dev.user.id, roleId: dev.apiRole.id, context });
    expect((await view()).find((scope) => scope.name === "a.read")?.reason).toMatch(
      /owner does not hold it now/,
    );

    await db.api.update({ where: { id: orders.id }, data: { allowPersonalTokens: false } });
    expect((await view())[0]?.reason).toBe(`the API "${orders.name}" no longer allows personal tokens`);
    await db.api.update({ where: { id: orders.id }, data: { disabledAt: new Date() } });
    expect((await view())[0]?.reason).toBe(`the API "${orders.name}" is disabled`);

    // The REST view says the same.
    const { cookie } = await signedInCookie(dev.user.id);
    const rest = await call(getTokenRoute, { cookie, params: { tokenId: minted.id } });
    expect(rest.status).toBe(200);
    expect(rest.body.apiPermissions).toEqual([
      {
        id: p("a.read"),
        api: { id: orders.id, name: orders.name, identifier: orders.identifier },
        name: "a.read",
        deprecated: false,
        effective: false,
        reason: `the API "${orders.name}" is disabled`,
      },
      expect.objectContaining({ name: "b.read", deprecated: true, effective: false }),
    ]);
  });
});

describe("API clients allowed other APIs' permissions", () => {
  it("refuses what the creator neither holds nor owns, naming it; writes nothing", async () => {
    const orders = await makeApi({ permissions: ["orders.read", "orders.write"] });
    const billing = await makeApi({ label: "Billing", permissions: ["billing.read"] });
    const dev = await developerHolding([present(orders.permissionIds["orders.read"])]);
    const before = await db.apiClient.count({ where: { ownerId: dev.user.id } });
    const cases: [string, string[], string, RegExp][] = [
      [
        "not held",
        [present(orders.permissionIds["orders.write"])],
        "forbidden",
        new RegExp(`${orders.name}: orders\\.write`),
      ],
      [
        "another API",
        [present(billing.permissionIds["billing.read"])],
        "forbidden",
        new RegExp(`${billing.name}: billing\\.read`),
      ],
      ["unknown", ["perm_nope"], "invalid", /does not exist/],
      ["nothing at all", [], "invalid", /at least one scope/],
    ];
    for (const [name, ids, code, message] of cases) {
      const refused = await refusal(allow(dev.principal, ids));
      expect(refused.code, name).toBe(code);
      expect(refused.message, name).toMatch(message);
    }
    expect(await db.apiClient.count({ where: { ownerId: dev.user.id } })).toBe(before);
    expect(await codeOf(allow(dev.principal, [present(orders.permissionIds["orders.read"])]))).toBe("ok");
  });

  it("lets an API's owner allow its permissions, and nothing of another API; the client shows them not effective until the owner holds them", async () => {
    const { principal, user } = await developerWith(["clients.read"]);
    const mine = await makeApi({ permissions: ["orders.read", "orders.write"], ownerId: user.id });
    const theirs = await makeApi({ permissions: ["orders.read", "orders.write"], label: "Billing" });
    expect((await refusal(allow(principal, [present(theirs.permissionIds["orders.read"])]))).code).toBe(
      "forbidden",
    );
    const created = await allow(principal, [present(mine.permissionIds["orders.write"])]);
    const view = await getClient(principal, created.clientId);
    expect(view.apiPermissions).toEqual([
      expect.objectContaining({
        name: "orders.write",
        effective: false,
        reason: expect.stringMatching(/owner does not hold it now/) as unknown,
      }),
    ]);
    // Issuance follows the same rule: the owner does not hold it, so nothing is issued.
    const response = await requestClientToken(created.clientId, created.clientSecret);
    expect(response.body.error).toBe("invalid_scope");

    const { cookie } = await signedInCookie(user.id);
    const rest = await call(getClientRoute, { cookie, params: { clientId: created.clientId } });
    expect(rest.status).toBe(200);
    expect(rest.body.apiPermissions).toEqual([
      expect.objectContaining({ name: "orders.write", effective: false }),
    ]);
  });

  it("edits: adding or removing needs the right to allow it; left out keeps them; managing needs it too", async () => {
    const orders = await makeApi({ permissions: ["orders.read", "orders.write"] });
    const read = present(orders.permissionIds["orders.read"]);
    const write = present(orders.permissionIds["orders.write"]);
    const owner = await developerHolding([read, write]);
    const created = await allow(owner.principal, [read, write]);
    const edit = (actor: UserPrincipal, apiPermissionIds?: string[]) =>
      updateClient({
        actor,
        clientId: created.clientId,
        name: "renamed",
        description: "",
        scopes: [],
        ...(apiPermissionIds ? { apiPermissionIds } : {}),
        context,
      });
    await edit(owner.principal);
    expect((await getClient(owner.principal, created.clientId)).apiPermissions.map((s) => s.name)).toEqual([
      "orders.read",
      "orders.write",
    ]);
    await edit(owner.principal, [read]);
    expect((await getClient(owner.principal, created.clientId)).apiPermissions.map((s) => s.name)).toEqual([
      "orders.read",
    ]);
    // Someone holding only orders.write may neither edit nor rotate a client allowed orders.read.
    const other = await developerHolding([write]);
    expect((await refusal(edit(other.principal, [read, write]))).message).toMatch(
      /could not allow.*orders\.read/,
    );
    expect(
      (
        await refusal(
          rotateClientSecret({
            actor: other.principal,
            clientId: created.clientId,
            overlapMinutes: 0,
            context,
          }),
        )
      ).code,
    ).toBe("forbidden");
    expect((await refusal(edit(owner.principal, []))).message).toMatch(/at least one scope/);
    const events = await db.auditEvent.findMany({
      where: { targetId: created.clientId, action: "client.updated" },
    });
    expect(events.length).toBeGreaterThan(0);
  });

  it("the token endpoint forgets a client's API state when the registry changes (tag apis)", async () => {
    const orders = await makeApi({ permissions: ["orders.read", "orders.write"] });
    const read = present(orders.permissionIds["orders.read"]);
    const owner = await developerHolding([read]);
    const created = await allow(owner.principal, [read]);
    expect((await requestClientToken(created.clientId, created.clientSecret)).body.scope).toBe("orders.read");
    await db.$transaction(async (tx) => {
      await tx.apiPermission.update({ where: { id: read }, data: { deprecatedAt: new Date() } });
      await credentialsChanged(tx, ["apis"]);
    });
    const response = await requestClientToken(created.clientId, created.clientSecret, {
      scope: "orders.read",
    });
    expect(response.body).toEqual({
      error: "invalid_scope",
      error_description: expect.stringMatching(/orders\.read: deprecated/) as unknown,
    });
  });
});
