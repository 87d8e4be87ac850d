import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { developerWith, makeTestClient, mintTestToken } from "../../test/credentials.ts";
import { codeOf, makePrincipal, makeRole, TEST_CONTEXT } from "../../test/factories.ts";
import { resolveBearer } from "../auth/resolve-bearer.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { addPermissionSchema } from "./api-schemas.ts";
import { addPermission, permissionHolders, removePermission, updatePermission } from "./api-permissions.ts";
import { BUILT_IN_API_ID, builtInPermissionId } from "./built-in-api.ts";
import { getApi } from "./list-apis.ts";
import { makeApi } from "../../test/api-factories.ts";

const context = TEST_CONTEXT;

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("an API's permissions", () => {
  it("are added by the owner or apis.write, unique within the API, audited", async () => {
    const { user: owner, principal } = await developerWith([]);
    const api = await makeApi({ ownerId: owner.id });
    const other = await makeApi({ ownerId: owner.id, permissions: ["orders.read"] });
    const { id } = await addPermission({
      actor: principal,
      apiId: api.id,
      input: addPermissionSchema.parse({ name: "orders.read", description: "Read orders" }),
      context,
    });
    // The same name in another API is another permission.
    expect(other.permissionIds["orders.read"]).not.toBe(id);
    const twice = await failure(
      addPermission({
        actor: principal,
        apiId: api.id,
        input: { name: "orders.read", description: "" },
        context,
      }),
    );
    expect(twice).toMatchObject({ code: "conflict", extra: { fields: [{ path: "name" }] } });
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "api_permission.added", targetId: api.id },
    });
    expect(event.details).toMatchObject({ permission: { id, name: "orders.read" } });

    const { principal: stranger } = await developerWith(["apis.read"]);
    expect(
      await codeOf(
        addPermission({
          actor: stranger,
          apiId: api.id,
          input: { name: "orders.write", description: "" },
          context,
        }),
      ),
    ).toBe("forbidden");
    // A bearer: ownership does not count, and without apis.read the API is not there.
    const token = await mintTestToken(principal, ["tokens.create"]);
    const bearer = await resolveBearer(`Bearer ${token.token}`, "203.0.113.7");
    expect(
      await codeOf(
        addPermission({
          actor: bearer,
          apiId: api.id,
          input: { name: "orders.write", description: "" },
          context,
        }),
      ),
    ).toBe("not_found");
  });

  it("refuses bad names", () => {
    for (const name of [
      "",
      "Orders.read",
      "1orders",
      "orders read",
      "orders/read",
      "a".repeat(101),
      "ordérs",
    ]) {
      expect(addPermissionSchema.safeParse({ name }).success, name).toBe(false);
    }
    for (const name of ["orders.read", "read:orders", "orders_admin", "a"]) {
      expect(addPermissionSchema.safeParse({ name }).success, name).toBe(true);
    }
    expect(addPermissionSchema.safeParse({ name: "a", description: "x\u0000" }).success).toBe(false);
  });

  it("of the built-in API are not editable, even by an Administrator", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const permissionId = builtInPermissionId("users.read");
    const attempts = [
      () =>
        addPermission({
          actor: admin,
          apiId: BUILT_IN_API_ID,
          input: { name: "x.read", description: "" },
          context,
        }),
      () =>
        updatePermission({
          actor: admin,
          apiId: BUILT_IN_API_ID,
          permissionId,
          input: { deprecated: true },
          context,
        }),
      () => removePermission({ actor: admin, apiId: BUILT_IN_API_ID, permissionId, confirm: true, context }),
    ];
    for (const attempt of attempts) expect((await failure(attempt())).message).toContain("built in");
    expect(await db.apiPermission.findUnique({ where: { id: permissionId } })).toMatchObject({
      deprecatedAt: null,
    });
  });

  it("are deprecated and restored, each audited as such", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const api = await makeApi({ permissions: ["orders.read"] });
    const permissionId = api.permissionIds["orders.read"] ?? "";
    await updatePermission({
      actor: admin,
      apiId: api.id,
      permissionId,
      input: { deprecated: true, description: "Old" },
      context,
    });
    expect((await getApi({ actor: admin, id: api.id })).permissions[0]).toMatchObject({
      deprecated: true,
      description: "Old",
    });
    await updatePermission({
      actor: admin,
      apiId: api.id,
      permissionId,
      input: { deprecated: false },
      context,
    });
    const events = await db.auditEvent.findMany({
      where: { targetId: api.id, action: { startsWith: "api_permission." } },
      orderBy: { id: "asc" },
    });
    expect(events.map((event) => event.action)).toEqual([
      "api_permission.deprecated",
      "api_permission.updated",
    ]);
    expect(events[1]?.details).toMatchObject({ before: { deprecated: true }, after: { deprecated: false } });
    // A permission of another API is "not found" here.
    const other = await makeApi({ permissions: ["x.read"] });
    expect(
      await codeOf(
        updatePermission({
          actor: admin,
          apiId: api.id,
          permissionId: other.permissionIds["x.read"] ?? "",
          input: { deprecated: true },
          context,
        }),
      ),
    ).toBe("not_found");
  });
});

describe("removing a permission", () => {
  it("needs it deprecated first", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const api = await makeApi({ permissions: ["orders.read"] });
    const refused = await failure(
      removePermission({
        actor: admin,
        apiId: api.id,
        permissionId: api.permissionIds["orders.read"] ?? "",
        confirm: true,
        context,
      }),
    );
    expect(refused.code).toBe("conflict");
    expect(refused.message).toMatch(/^Deprecate orders\.read/);
  });

  it("in use: names the roles, tokens and clients; confirmed: takes it from them in one transaction with its event", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const api = await makeApi({ ownerId: admin.userId, permissions: ["orders.read", "orders.write"] });
    const permissionId = api.permissionIds["orders.read"] ?? "";
    const keptId = api.permissionIds["orders.write"] ?? "";
    const role = await makeRole(["users.read"], `Orders desk ${randomBytes(3).toString("hex")}`);
    await db.rolePermission.createMany({
      data: [
        { roleId: role.id, permissionId },
        { roleId: role.id, permissionId: keptId },
      ],
    });
    const { principal: dev } = await developerWith(["users.read"]);
    const token = await mintTestToken(dev, ["users.read"]);
    const revoked = await mintTestToken(dev, ["users.read"]);
    await db.apiToken.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    const client = await makeTestClient(dev, ["users.read"]);
    await db.apiTokenPermission.createMany({
      data: [
        { tokenId: token.id, permissionId },
        { tokenId: revoked.id, permissionId },
      ],
    });
    await db.apiClientPermission.create({ data: { clientId: client.clientId, permissionId } });
    await updatePermission({
      actor: admin,
      apiId: api.id,
      permissionId,
      input: { deprecated: true },
      context,
    });

    const preview = await permissionHolders({ actor: admin, apiId: api.id, permissionId });
    expect(preview.counts).toEqual({ roles: 1, tokens: 1, clients: 1, apps: 0 });
    const refused = await failure(
      removePermission({ actor: admin, apiId: api.id, permissionId, confirm: false, context }),
    );
    expect(refused.code).toBe("conflict");
    const clientName = (await db.apiClient.findUniqueOrThrow({ where: { id: client.clientId } })).name;
    for (const name of [role.name, token.name, clientName, dev.email]) {
      expect(refused.message).toContain(name);
    }
    expect(refused.extra.holders).toMatchObject({
      roles: [{ id: role.id }],
      // The revoked token authorizes nothing: it is not named, but loses the grant all the same.
      tokens: [{ id: token.id, owner: dev.email }],
      clients: [{ id: client.clientId }],
    });
    expect(await db.apiPermission.findUnique({ where: { id: permissionId } })).not.toBeNull();
    expect(await db.auditEvent.count({ where: { action: "api_permission.removed", targetId: api.id } })).toBe(
      0,
    );

    await removePermission({ actor: admin, apiId: api.id, permissionId, confirm: true, context });
    expect(await db.apiPermission.findUnique({ where: { id: permissionId } })).toBeNull();
    expect(
      await db.rolePermission.findMany({ where: { roleId: role.id }, select: { permissionId: true } }),
    ).toEqual(expect.arrayContaining([{ permissionId: keptId }]));
    expect(await db.rolePermission.count({ where: { permissionId } })).toBe(0);
    expect(await db.apiTokenPermission.count({ where: { permissionId } })).toBe(0);
    expect(await db.apiClientPermission.count({ where: { permissionId } })).toBe(0);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "api_permission.removed", targetId: api.id },
    });
    expect(event.details).toMatchObject({
      permission: { id: permissionId, name: "orders.read" },
      removedFrom: {
        roles: [{ id: role.id, name: role.name }],
        tokens: [{ id: token.id }],
        clients: [{ id: client.clientId }],
        counts: { roles: 1, tokens: 1, clients: 1 },
      },
    });
  });

  it("is refused to a caller who may read but not edit the API", async () => {
    const { principal: reader } = await developerWith(["apis.read"]);
    const api = await makeApi({ permissions: ["orders.read"] });
    const permissionId = api.permissionIds["orders.read"] ?? "";
    await db.apiPermission.update({ where: { id: permissionId }, data: { deprecatedAt: new Date() } });
    expect(
      await codeOf(removePermission({ actor: reader, apiId: api.id, permissionId, confirm: true, context })),
    ).toBe("forbidden");
    expect(await db.apiPermission.findUnique({ where: { id: permissionId } })).not.toBeNull();
  });
});
