import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";
import type { z } from "zod";

import type { Operation } from "@/lib/api/operation";
import { V1 } from "@/lib/api/v1-operations";
import { BUILT_IN_API_ID } from "@/lib/apis/built-in-api";
import { db } from "@/lib/db/client";
import { developerWith, mintTestToken } from "@/test/credentials";
import { makePrincipal, makeRole, signedInCookie } from "@/test/factories";
import { call } from "@/test/requests";

import * as permissionExport from "./[apiId]/permissions/export/route";
import * as permissionImport from "./[apiId]/permissions/import/route";
import * as permission from "./[apiId]/permissions/[permissionId]/route";
import * as permissions from "./[apiId]/permissions/route";
import * as api from "./[apiId]/route";
import * as apis from "./route";
import { makeApi } from "@/test/api-factories";

type Handler = Parameters<typeof call>[0];
const h = (handler: unknown) => handler as Handler;
const unique = () => randomBytes(4).toString("hex");

/** The body is exactly what the operation's response schema documents: no field more, none missing. */
function documented(op: Operation, body: unknown) {
  const schema = op.response as z.ZodType;
  expect(schema.parse(body), op.operationId).toEqual(body);
  return body as Record<string, unknown>;
}

describe("REST API v1: the API registry", () => {
  it("registers an API, adds, deprecates and (confirmed) removes a held permission, each answer as documented", async () => {
    const { user: admin } = await makePrincipal(["admin"]);
    const { cookie } = await signedInCookie(admin.id);
    const identifier = `https://orders-${unique()}.example.test/`;
    const created = await call(h(apis.POST), {
      cookie,
      json: { name: `Orders ${unique()}`, identifier, description: "Orders" },
    });
    expect(created.status).toBe(201);
    const apiId = String(documented(V1.createApi, created.body).id);
    expect(created.headers.get("location")).toBe(`/api/v1/apis/${apiId}`);
    expect(created.body).toMatchObject({ identifier, owner: { id: admin.id }, accessTokenTtlSeconds: 900 });

    const listed = await call(h(apis.GET), { cookie, path: `/api/v1/apis?q=${created.body.name as string}` });
    expect(documented(V1.listApis, listed.body).items).toMatchObject([{ id: apiId, permissionCount: 0 }]);

    const added = await call(h(permissions.POST), {
      cookie,
      params: { apiId },
      json: { name: "orders.read", description: "Read orders" },
    });
    expect(added.status).toBe(201);
    const permissionId = String(documented(V1.addApiPermission, added.body).id);
    const role = await makeRole([], `Order desk ${unique()}`);
    await db.rolePermission.create({ data: { roleId: role.id, permissionId } });

    const ref = { apiId, permissionId };
    const notDeprecated = await call(h(permission.DELETE), { cookie, method: "DELETE", params: ref });
    expect(notDeprecated.status).toBe(409);
    const deprecated = await call(h(permission.PATCH), {
      cookie,
      method: "PATCH",
      params: ref,
      json: { deprecated: true },
    });
    expect(documented(V1.updateApiPermission, deprecated.body)).toMatchObject({
      deprecated: true,
      roles: [{ id: role.id, name: role.name }],
    });
    const held = await call(h(permission.DELETE), { cookie, method: "DELETE", params: ref });
    expect(held.status).toBe(409);
    expect(held.headers.get("content-type")).toBe("application/problem+json");
    expect(String(held.body.detail)).toContain(role.name);
    expect(held.body.holders).toMatchObject({ roles: [{ id: role.id }], counts: { roles: 1 } });
    const removed = await call(h(permission.DELETE), {
      cookie,
      method: "DELETE",
      path: `/api/v1/apis/${apiId}/permissions/${permissionId}?confirm=true`,
      params: ref,
    });
    expect(removed.status).toBe(204);
    const after = await call(h(permissions.GET), { cookie, params: { apiId } });
    expect(documented(V1.listApiPermissions, after.body).items).toEqual([]);
    expect(await db.rolePermission.count({ where: { permissionId } })).toBe(0);

    const patched = await call(h(api.PATCH), {
      cookie,
      method: "PATCH",
      params: { apiId },
      json: { disabled: true, accessTokenTtlSeconds: 120 },
    });
    expect(documented(V1.updateApi, patched.body)).toMatchObject({
      disabled: true,
      accessTokenTtlSeconds: 120,
    });
    const fetched = await call(h(api.GET), { cookie, params: { apiId } });
    documented(V1.getApi, fetched.body);
    const deleted = await call(h(api.DELETE), { cookie, method: "DELETE", params: { apiId } });
    expect(deleted.status).toBe(204);
    expect((await call(h(api.GET), { cookie, params: { apiId } })).status).toBe(404);
  });

  it("takes, returns and clears requireDpop as documented; a PATCH without it keeps it", async () => {
    const { user: admin } = await makePrincipal(["admin"]);
    const { cookie } = await signedInCookie(admin.id);
    const plain = await call(h(apis.POST), {
      cookie,
      json: { name: `Plain ${unique()}`, identifier: `https://plain-${unique()}.example.test/` },
    });
    expect(documented(V1.createApi, plain.body)).toMatchObject({ requireDpop: false });
    const created = await call(h(apis.POST), {
      cookie,
      json: {
        name: `Bound ${unique()}`,
        identifier: `https://bound-${unique()}.example.test/`,
        requireDpop: true,
      },
    });
    expect(created.status).toBe(201);
    const apiId = String(documented(V1.createApi, created.body).id);
    expect(created.body.requireDpop).toBe(true);
    const patch = (json: unknown) => call(h(api.PATCH), { cookie, method: "PATCH", params: { apiId }, json });
    expect(documented(V1.updateApi, (await patch({ description: "bound" })).body)).toMatchObject({
      description: "bound",
      requireDpop: true,
    });
    expect(documented(V1.updateApi, (await patch({ requireDpop: false })).body).requireDpop).toBe(false);
    const fetched = await call(h(api.GET), { cookie, params: { apiId } });
    expect(documented(V1.getApi, fetched.body).requireDpop).toBe(false);
    expect((await patch({ requireDpop: "yes" })).status).toBe(400);
    const event = await db.auditEvent.findFirstOrThrow({
      where: {
        action: "api.updated",
        targetId: apiId,
        details: { path: ["after", "requireDpop"], equals: false },
      },
    });
    expect(event.details).toEqual({ before: { requireDpop: true }, after: { requireDpop: false } });
  });

  it("imports an OpenAPI document larger than the usual body limit, and exports the result", async () => {
    const { user: admin } = await makePrincipal(["admin"]);
    const { cookie } = await signedInCookie(admin.id);
    const target = await makeApi({ ownerId: admin.id });
    const scopes = Object.fromEntries(
      Array.from({ length: 400 }, (_, i) => [`orders.scope${i}`, `Scope ${i} ${"x".repeat(150)}`]),
    );
    const doc = {
      openapi: "3.1.0",
      info: { title: "Orders", version: "1" },
      paths: {},
      components: {
        securitySchemes: {
          oauth: { type: "oauth2", flows: { clientCredentials: { tokenUrl: "https://x/t", scopes } } },
        },
      },
    };
    expect(JSON.stringify(doc).length).toBeGreaterThan(64 * 1024);
    const imported = await call(h(permissionImport.POST), {
      cookie,
      params: { apiId: target.id },
      json: doc,
    });
    expect(imported.status).toBe(200);
    expect(documented(V1.importApiPermissions, imported.body)).toEqual({
      added: 400,
      updated: 0,
      unchanged: 0,
    });
    const exported = await call(h(permissionExport.GET), { cookie, params: { apiId: target.id } });
    expect((documented(V1.exportApiPermissions, exported.body).permissions as unknown[]).length).toBe(400);

    const huge = { permissions: [{ name: "a", description: "x".repeat(1024 * 1024) }] };
    const tooLarge = await call(h(permissionImport.POST), {
      cookie,
      params: { apiId: target.id },
      json: huge,
    });
    expect(tooLarge.status).toBe(413);
    const bad = await call(h(permissionImport.POST), {
      cookie,
      params: { apiId: target.id },
      json: { permissions: [{ name: "Not A Name" }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toMatchObject([{ path: "permissions.0.name" }]);
  });

  it("answers bad input with 400 naming the field, and a taken identifier with 409", async () => {
    const { user: admin } = await makePrincipal(["admin"]);
    const { cookie } = await signedInCookie(admin.id);
    const taken = await makeApi();
    const cases: [unknown, number, string][] = [
      [{ name: "x", identifier: "not a uri" }, 400, "identifier"],
      [{ name: "", identifier: "https://a.example/" }, 400, "name"],
      [
        { name: "x", identifier: "https://a.example/", accessTokenTtlSeconds: 5 },
        400,
        "accessTokenTtlSeconds",
      ],
      [{ name: `New ${unique()}`, identifier: taken.identifier }, 409, "identifier"],
    ];
    for (const [json, status, path] of cases) {
      const response = await call(h(apis.POST), { cookie, json });
      expect(response.status, JSON.stringify(json)).toBe(status);
      expect(response.body.errors, JSON.stringify(json)).toMatchObject([{ path }]);
    }
  });

  it("refuses bearers beyond their scopes and everybody on the built-in API", async () => {
    const { user: owner, principal: ownerSession } = await developerWith(["apis.read"]);
    const mine = await makeApi({ ownerId: owner.id, permissions: ["orders.read"] });
    const reader = await mintTestToken(ownerSession, ["apis.read"]);
    expect((await call(h(apis.GET), { bearer: reader.token })).status).toBe(200);
    const create = await call(h(apis.POST), {
      bearer: reader.token,
      json: { name: "x", identifier: "https://x.example/" },
    });
    expect(create.status).toBe(403);
    expect(create.headers.get("www-authenticate")).toContain("insufficient_scope");
    // The owner's own token holds apis.read, not apis.write: ownership does not travel in a bearer.
    const edit = await call(h(api.PATCH), {
      bearer: reader.token,
      method: "PATCH",
      params: { apiId: mine.id },
      json: { description: "by token" },
    });
    expect(edit.status).toBe(403);
    const { cookie } = await signedInCookie(owner.id);
    const asOwner = await call(h(api.PATCH), {
      cookie,
      method: "PATCH",
      params: { apiId: mine.id },
      json: { description: "by the owner" },
    });
    expect(asOwner.status).toBe(200);

    const { user: admin } = await makePrincipal(["admin"]);
    const adminCookie = (await signedInCookie(admin.id)).cookie;
    const builtIn = await call(h(api.PATCH), {
      cookie: adminCookie,
      method: "PATCH",
      params: { apiId: BUILT_IN_API_ID },
      json: { description: "mine" },
    });
    expect(builtIn.status).toBe(403);
    expect(String(builtIn.body.detail)).toContain("built in");
    const own = await call(h(api.GET), { cookie: adminCookie, params: { apiId: BUILT_IN_API_ID } });
    expect(documented(V1.getApi, own.body)).toMatchObject({ builtIn: true, mayEdit: false });
  });
});
