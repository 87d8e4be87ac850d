import { describe, expect, it } from "vitest";

import { newId } from "../crypto/ids.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { makeApi } from "../../test/api-factories.ts";
import { makePrincipal, makeRole, present } from "../../test/factories.ts";
import { builtInPermissionId } from "./built-in-api.ts";
import { assertMayGrant, heldAmong, heldAt } from "./holdings.ts";

/** An API with these permissions, owned by `ownerId` (if given); ids by name. */
async function apiWith(names: string[], ownerId?: string) {
  const api = await makeApi({ permissions: names, label: "Holdings API", ...(ownerId ? { ownerId } : {}) });
  return { api, ids: (name: string) => present(api.permissionIds[name], name) };
}

async function roleGranting(permissionIds: string[]) {
  const role = await makeRole([]);
  await db.rolePermission.createMany({
    data: permissionIds.map((permissionId) => ({ roleId: role.id, permissionId })),
  });
  return role;
}

const refusal = async (promise: Promise<unknown>) => {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error("expected a refusal");
};

describe("holdings of other APIs' permissions", () => {
  it("a user holds what their roles grant at each API, and nothing of another API", async () => {
    const orders = await apiWith(["orders.read", "orders.write"]);
    const billing = await apiWith(["invoices.read"]);
    const role = await roleGranting([orders.ids("orders.read")]);
    const { user } = await makePrincipal([], [role.id]);

    expect(await heldAt(user.id, orders.api.id)).toEqual(["orders.read"]);
    expect(await heldAt(user.id, billing.api.id)).toEqual([]);
    expect(
      await heldAmong(user.id, [
        orders.ids("orders.read"),
        orders.ids("orders.write"),
        billing.ids("invoices.read"),
      ]),
    ).toEqual(new Set([orders.ids("orders.read")]));
  });

  it("the Administrator holds every permission of every API, including ones added later", async () => {
    const orders = await apiWith(["orders.read"]);
    const { user } = await makePrincipal(["admin"]);
    expect(await heldAt(user.id, orders.api.id)).toEqual(["orders.read"]);
    const later = await db.apiPermission.create({
      data: { id: newId("prm"), apiId: orders.api.id, name: "orders.ship" },
    });
    expect(await heldAt(user.id, orders.api.id)).toEqual(["orders.read", "orders.ship"]);
    await expect(
      assertMayGrant((await makePrincipal(["admin"])).principal, { added: [later.id], touched: [] }),
    ).resolves.toHaveLength(1);
  });

  it("an API's owner may grant its permissions but holds none of them for use, and may grant nothing of another API", async () => {
    const { user, principal } = await makePrincipal([]);
    const own = await apiWith(["orders.read", "orders.write"], user.id);
    const other = await apiWith(["invoices.read"]);

    await expect(
      assertMayGrant(principal, { added: [own.ids("orders.write")], touched: [own.ids("orders.read")] }),
    ).resolves.toHaveLength(2);
    expect(await heldAt(user.id, own.api.id)).toEqual([]);
    const refused = await refusal(
      assertMayGrant(principal, { added: [other.ids("invoices.read")], touched: [] }),
    );
    expect(refused.code).toBe("forbidden");
    expect(refused.message).toContain(`${other.api.name}: invoices.read`);
  });

  it("removing counts as granting: a holder of orders.read cannot take orders.write away", async () => {
    const orders = await apiWith(["orders.read", "orders.write"]);
    const { principal } = await makePrincipal([], [(await roleGranting([orders.ids("orders.read")])).id]);
    const refused = await refusal(
      assertMayGrant(principal, { added: [], touched: [orders.ids("orders.write")] }),
    );
    expect(refused.message).toContain("orders.write");
  });

  it("Keyward's own permissions follow the principal's typed set", async () => {
    const { principal } = await makePrincipal(["user_manager"]);
    await expect(
      assertMayGrant(principal, { added: [builtInPermissionId("users.read")], touched: [] }),
    ).resolves.toHaveLength(1);
    const refused = await refusal(
      assertMayGrant(principal, { added: [builtInPermissionId("settings.write")], touched: [] }),
    );
    expect(refused).toMatchObject({ code: "forbidden" });
    expect(refused.message).toContain("Keyward admin API: settings.write");
  });

  it("a deprecated permission takes no new grant, even from the Administrator, but may stay", async () => {
    const orders = await apiWith(["orders.old"]);
    await db.apiPermission.update({
      where: { id: orders.ids("orders.old") },
      data: { deprecatedAt: new Date() },
    });
    const { principal } = await makePrincipal(["admin"]);
    const refused = await refusal(
      assertMayGrant(principal, { added: [orders.ids("orders.old")], touched: [] }),
    );
    expect(refused.code).toBe("invalid");
    expect(refused.message).toContain("Deprecated");
    await expect(
      assertMayGrant(principal, { added: [], touched: [orders.ids("orders.old")] }),
    ).resolves.toHaveLength(1);
  });

  it("an unknown permission id is a clear error, not a silent drop", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const refused = await refusal(assertMayGrant(principal, { added: ["prm_nothing_here"], touched: [] }));
    expect(refused).toMatchObject({ code: "invalid" });
  });

  it("a bearer principal grants no other API's permissions, whatever its owner holds", async () => {
    const orders = await apiWith(["orders.read"]);
    const { principal } = await makePrincipal(["admin"]);
    const bearer = {
      kind: "token" as const,
      tokenId: "tok_x",
      tokenName: "x",
      userId: principal.userId,
      email: principal.email,
      name: principal.name,
      permissions: principal.permissions,
    };
    const refused = await refusal(
      assertMayGrant(bearer, { added: [orders.ids("orders.read")], touched: [] }),
    );
    expect(refused.code).toBe("forbidden");
    expect(refused.message).toContain("signed-in session");
  });
});
