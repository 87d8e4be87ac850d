import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { developerWith, makeTestClient, mintTestToken } from "../../test/credentials.ts";
import { codeOf, makePrincipal, makeRole, makeUser, TEST_CONTEXT } from "../../test/factories.ts";
import { resolveBearer } from "../auth/resolve-bearer.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { createApiSchema, updateApiSchema } from "./api-schemas.ts";
import { apiByIdentifier } from "./audience.ts";
import { BUILT_IN_API_ID } from "./built-in-api.ts";
import { getApi, listApis } from "./list-apis.ts";
import { createApi, deleteApi, setApiDisabled, updateApi } from "./manage-apis.ts";
import { makeApi } from "../../test/api-factories.ts";

const context = TEST_CONTEXT;
const unique = () => randomBytes(4).toString("hex");
const input = (overrides: Record<string, unknown> = {}) =>
  createApiSchema.parse({
    name: `Orders ${unique()}`,
    identifier: `https://orders-${unique()}.example.test/`,
    ...overrides,
  });

/** An error's AppError, for its message and extras. */
async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

describe("registering an API", () => {
  it("needs apis.write; the caller owns it by default, with a 15-minute token lifetime", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { id } = await createApi({ actor: admin, input: input({ description: "Orders" }), context });
    const api = await getApi({ actor: admin, id });
    expect(api).toMatchObject({
      owner: { id: admin.userId, email: admin.email },
      accessTokenTtlSeconds: 900,
      allowPersonalTokens: true,
      disabled: false,
      builtIn: false,
      identifierLocked: false,
      mayEdit: true,
      permissions: [],
    });
    const event = await db.auditEvent.findFirstOrThrow({ where: { action: "api.created", targetId: id } });
    expect(event).toMatchObject({ actorId: admin.userId, outcome: "success" });

    const { principal: developer } = await makePrincipal(["developer"]);
    expect(await codeOf(createApi({ actor: developer, input: input(), context }))).toBe("forbidden");
  });

  it("refuses a taken name or identifier (409), an inactive owner and a lifetime beyond the setting", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const first = input();
    await createApi({ actor: admin, input: first, context });
    const sameName = await failure(
      createApi({ actor: admin, input: input({ name: first.name.toUpperCase() }), context }),
    );
    expect(sameName.code).toBe("conflict");
    expect(sameName.extra.fields?.[0]?.path).toBe("name");
    const sameIdentifier = await failure(
      createApi({ actor: admin, input: input({ identifier: first.identifier }), context }),
    );
    expect(sameIdentifier.code).toBe("conflict");
    expect(sameIdentifier.extra.fields?.[0]?.path).toBe("identifier");

    const disabled = await makeUser({ status: "disabled" });
    const inactive = await failure(
      createApi({ actor: admin, input: input({ owner: disabled.email }), context }),
    );
    expect(inactive).toMatchObject({ code: "invalid", message: expect.stringContaining("not active") });

    const tooLong = await failure(
      createApi({ actor: admin, input: input({ accessTokenTtlSeconds: 3600 }), context }),
    );
    expect(tooLong.extra.fields?.[0]?.path).toBe("accessTokenTtlSeconds");
  });

  it("validates the identifier as an absolute http(s) URI without fragment", () => {
    const bad = [
      "orders",
      "/orders",
      "ftp://orders.example/",
      "https://orders.example/#x",
      "https://user:pw@orders.example/",
      "https://orders example/",
      "javascript:alert(1)",
      `https://${"a".repeat(500)}.example/`,
      "https://orders.example/\u0000",
    ];
    for (const identifier of bad) {
      expect(createApiSchema.safeParse({ name: "x", identifier }).success, identifier).toBe(false);
    }
    for (const identifier of [
      "https://orders.example.com/",
      "http://localhost:4000/orders",
      "https://a.example/v1?x=1",
    ]) {
      expect(createApiSchema.safeParse({ name: "x", identifier }).success, identifier).toBe(true);
    }
    expect(createApiSchema.safeParse({ name: "\ud800", identifier: "https://a.example/" }).success).toBe(
      false,
    );
  });
});

describe("reading the registry", () => {
  it("lists by name in pages, searches, and hides an API from a caller without apis.read (404)", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const marker = `Paging${unique()}`;
    for (const letter of ["c", "a", "b"]) {
      await createApi({ actor: admin, input: input({ name: `${marker} ${letter}` }), context });
    }
    const first = await listApis({ actor: admin, query: marker.toLowerCase(), limit: 2 });
    expect(first.items.map((item) => item.name)).toEqual([`${marker} a`, `${marker} b`]);
    const second = await listApis({ actor: admin, query: marker, limit: 2, cursor: first.nextCursor ?? "" });
    expect(second.items.map((item) => item.name)).toEqual([`${marker} c`]);
    expect(second.nextCursor).toBeNull();
    const all = await listApis({ actor: admin, limit: 100 });
    expect(all.items.find((item) => item.id === BUILT_IN_API_ID)).toMatchObject({
      builtIn: true,
      owner: null,
    });

    const { principal: member } = await makePrincipal(["member"]);
    expect(await codeOf(listApis({ actor: member }))).toBe("forbidden");
    const theirs = first.items[0]?.id ?? "";
    expect(await codeOf(getApi({ actor: member, id: theirs }))).toBe("not_found");
    expect(await codeOf(getApi({ actor: admin, id: "api_missing000000000000" }))).toBe("not_found");
  });

  it("shows an owner without apis.read their own API when signed in, never through a token", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { user: owner, principal: ownerSession } = await developerWith([]);
    const api = await makeApi({ ownerId: owner.id, permissions: ["orders.read"] });
    expect((await getApi({ actor: ownerSession, id: api.id })).mayEdit).toBe(true);
    const token = await mintTestToken(ownerSession, ["tokens.create"]);
    const asToken = await resolveBearer(`Bearer ${token.token}`, "203.0.113.7");
    expect(await codeOf(getApi({ actor: asToken, id: api.id }))).toBe("not_found");
    expect(
      await codeOf(updateApi({ actor: asToken, id: api.id, input: { description: "x" }, context })),
    ).toBe("not_found");
    // A token with apis.write acts within its scopes.
    const writer = await mintTestToken(admin, ["apis.read", "apis.write"]);
    const asWriter = await resolveBearer(`Bearer ${writer.token}`, "203.0.113.7");
    await updateApi({ actor: asWriter, id: api.id, input: { description: "by token" }, context });
    expect((await getApi({ actor: admin, id: api.id })).description).toBe("by token");
  });

  it("reports holders per permission: roles, live tokens and clients", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const api = await makeApi({ ownerId: admin.userId, permissions: ["orders.read", "orders.write"] });
    const readId = api.permissionIds["orders.read"] ?? "";
    const role = await makeRole([]);
    await db.rolePermission.create({ data: { roleId: role.id, permissionId: readId } });
    const { principal: dev } = await developerWith(["users.read"]);
    const token = await mintTestToken(dev, ["users.read"]);
    await db.apiTokenPermission.create({ data: { tokenId: token.id, permissionId: readId } });
    const client = await makeTestClient(dev, ["users.read"]);
    await db.apiClientPermission.create({ data: { clientId: client.clientId, permissionId: readId } });
    const detail = await getApi({ actor: admin, id: api.id });
    expect(detail.identifierLocked).toBe(true);
    expect(
      detail.permissions.map((p) => [p.name, p.roles.map((r) => r.id), p.tokenCount, p.clientCount]),
    ).toEqual([
      ["orders.read", [role.id], 1, 1],
      ["orders.write", [], 0, 0],
    ]);
  });
});

describe("editing an API", () => {
  it("is for apis.write or the owner; an apis.write-less owner of another API is refused", async () => {
    const { user: owner, principal: ownerSession } = await developerWith([]);
    const { principal: otherOwner } = await developerWith(["apis.read"]);
    const { principal: blind } = await developerWith([]);
    const api = await makeApi({ ownerId: owner.id });
    await makeApi({ ownerId: otherOwner.userId });
    await updateApi({
      actor: ownerSession,
      id: api.id,
      input: updateApiSchema.parse({ name: `Mine ${unique()}` }),
      context,
    });
    // Developers read the registry (apis.read): they see it, and are told why they cannot change it.
    const refused = await failure(
      updateApi({ actor: otherOwner, id: api.id, input: { description: "x" }, context }),
    );
    expect(refused.code).toBe("forbidden");
    expect(refused.message).toMatch(/owner|apis\.write/);
    expect(await codeOf(setApiDisabled({ actor: otherOwner, id: api.id, disabled: true, context }))).toBe(
      "forbidden",
    );
    expect(await codeOf(deleteApi({ actor: otherOwner, id: api.id, confirm: true, context }))).toBe(
      "forbidden",
    );
    // Without apis.read, another's API is not there at all.
    expect(await codeOf(updateApi({ actor: blind, id: api.id, input: { description: "x" }, context }))).toBe(
      "not_found",
    );
    // Handing it to someone else is an administrator's (apis.write) decision.
    const handOff = await failure(
      updateApi({ actor: ownerSession, id: api.id, input: { owner: otherOwner.email }, context }),
    );
    expect(handOff.code).toBe("forbidden");
  });

  it("leaves the built-in API read-only for everybody, with the reason", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const attempts = [
      () => updateApi({ actor: admin, id: BUILT_IN_API_ID, input: { description: "mine" }, context }),
      () => setApiDisabled({ actor: admin, id: BUILT_IN_API_ID, disabled: true, context }),
      () => deleteApi({ actor: admin, id: BUILT_IN_API_ID, confirm: true, context }),
    ];
    for (const attempt of attempts) {
      const error = await failure(attempt());
      expect(error.code).toBe("forbidden");
      expect(error.message).toContain("built in");
    }
    expect((await getApi({ actor: admin, id: BUILT_IN_API_ID })).mayEdit).toBe(false);
  });

  it("locks the identifier once a token or client holds its permissions (409), and audits each change", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { id } = await createApi({ actor: admin, input: input(), context });
    const moved = `https://moved-${unique()}.example.test/`;
    await updateApi({ actor: admin, id, input: { identifier: moved, accessTokenTtlSeconds: 300 }, context });
    const updated = await db.auditEvent.findFirstOrThrow({ where: { action: "api.updated", targetId: id } });
    expect(updated.details).toMatchObject({ after: { identifier: moved, accessTokenTtlSeconds: 300 } });

    const permission = await db.apiPermission.create({
      data: { id: `perm_${unique()}`, apiId: id, name: "orders.read" },
    });
    const { principal: dev } = await developerWith(["users.read"]);
    const token = await mintTestToken(dev, ["users.read"]);
    await db.apiTokenPermission.create({ data: { tokenId: token.id, permissionId: permission.id } });
    const locked = await failure(
      updateApi({
        actor: admin,
        id,
        input: { identifier: `https://again-${unique()}.example.test/` },
        context,
      }),
    );
    expect(locked.code).toBe("conflict");
    expect(locked.message).toContain("fixed");
    expect((await getApi({ actor: admin, id })).identifier).toBe(moved);
    // Other fields still change.
    await updateApi({
      actor: admin,
      id,
      input: { identifier: moved, description: "still editable" },
      context,
    });

    await setApiDisabled({ actor: admin, id, disabled: true, context });
    expect((await getApi({ actor: admin, id })).disabled).toBe(true);
    await setApiDisabled({ actor: admin, id, disabled: false, context });
    const toggles = await db.auditEvent.findMany({
      where: { targetId: id, action: { in: ["api.disabled", "api.enabled"] } },
      orderBy: { id: "asc" },
    });
    expect(toggles.map((event) => event.action)).toEqual(["api.disabled", "api.enabled"]);
  });
});

describe("an API taking only DPoP-bound tokens", () => {
  it("is off unless set; set, kept when an edit leaves it out, cleared, each change audited", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const plain = await createApi({ actor: admin, input: input(), context });
    expect((await getApi({ actor: admin, id: plain.id })).requireDpop).toBe(false);

    const fields = input({ requireDpop: true });
    const { id } = await createApi({ actor: admin, input: fields, context });
    expect((await getApi({ actor: admin, id })).requireDpop).toBe(true);
    // Issuance reads the API through the registry's cache: it sees each change.
    expect((await apiByIdentifier(fields.identifier))?.requireDpop).toBe(true);
    const created = await db.auditEvent.findFirstOrThrow({ where: { action: "api.created", targetId: id } });
    expect(created.details).toMatchObject({ after: { requireDpop: true } });

    await updateApi({ actor: admin, id, input: updateApiSchema.parse({ description: "kept" }), context });
    expect((await getApi({ actor: admin, id })).requireDpop).toBe(true);
    await updateApi({ actor: admin, id, input: { requireDpop: false }, context });
    expect((await getApi({ actor: admin, id })).requireDpop).toBe(false);
    expect((await apiByIdentifier(fields.identifier))?.requireDpop).toBe(false);
    const updates = await db.auditEvent.findMany({
      where: { action: "api.updated", targetId: id },
      orderBy: { id: "asc" },
    });
    expect(updates.map((event) => event.details)).toEqual([
      { before: { description: "" }, after: { description: "kept" } },
      { before: { requireDpop: true }, after: { requireDpop: false } },
    ]);
  });
});

describe("deleting an API", () => {
  it("in use: refused naming the roles, tokens and clients; confirmed: grants, permissions and API go together, audited", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const api = await makeApi({ ownerId: admin.userId, permissions: ["orders.read", "orders.write"] });
    const readId = api.permissionIds["orders.read"] ?? "";
    const writeId = api.permissionIds["orders.write"] ?? "";
    const role = await makeRole(["users.read"], `Order desk ${unique()}`);
    await db.rolePermission.create({ data: { roleId: role.id, permissionId: readId } });
    const { principal: dev } = await developerWith(["users.read"]);
    const token = await mintTestToken(dev, ["users.read"]);
    await db.apiTokenPermission.create({ data: { tokenId: token.id, permissionId: writeId } });
    const client = await makeTestClient(dev, ["users.read"]);
    await db.apiClientPermission.create({ data: { clientId: client.clientId, permissionId: readId } });

    const refused = await failure(deleteApi({ actor: admin, id: api.id, confirm: false, context }));
    expect(refused.code).toBe("conflict");
    expect(refused.message).toContain(role.name);
    expect(refused.message).toContain(dev.email);
    expect(refused.extra.holders).toMatchObject({
      roles: [{ id: role.id, name: role.name }],
      tokens: [{ id: token.id }],
      clients: [{ id: client.clientId }],
      counts: { roles: 1, tokens: 1, clients: 1 },
    });
    expect(await db.api.findUnique({ where: { id: api.id } })).not.toBeNull();

    await deleteApi({ actor: admin, id: api.id, confirm: true, context });
    expect(await db.api.findUnique({ where: { id: api.id } })).toBeNull();
    expect(await db.apiPermission.count({ where: { apiId: api.id } })).toBe(0);
    // The holders keep everything else.
    expect(await db.rolePermission.count({ where: { roleId: role.id } })).toBe(1);
    expect(await db.apiTokenPermission.count({ where: { tokenId: token.id } })).toBe(1);
    const event = await db.auditEvent.findFirstOrThrow({
      where: { action: "api.deleted", targetId: api.id },
    });
    expect(event.details).toMatchObject({
      before: { permissions: ["orders.read", "orders.write"] },
      removedFrom: {
        roles: [{ id: role.id }],
        tokens: [{ id: token.id }],
        clients: [{ id: client.clientId }],
      },
    });
  });

  it("not in use: goes without confirmation", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const api = await makeApi({ permissions: ["a.read"] });
    await deleteApi({ actor: admin, id: api.id, confirm: false, context });
    expect(await db.api.findUnique({ where: { id: api.id } })).toBeNull();
  });
});
