import { describe, expect, it } from "vitest";

import { developerWith } from "../../test/credentials.ts";
import { codeOf, makePrincipal, TEST_CONTEXT } from "../../test/factories.ts";
import { openApiDocument } from "../api/openapi.ts";
import { db } from "../db/client.ts";
import { PERMISSIONS } from "../policy/permissions.ts";
import { importPermissionsSchema } from "./api-schemas.ts";
import { BUILT_IN_API_ID } from "./built-in-api.ts";
import { exportPermissions, importPermissions, parseImport } from "./import-export.ts";
import { makeApi } from "../../test/api-factories.ts";

const context = TEST_CONTEXT;

const openApi = (scopes: Record<string, unknown>) => ({
  openapi: "3.0.3",
  info: { title: "Orders", version: "1" },
  paths: {},
  components: {
    securitySchemes: {
      bearer: { type: "http", scheme: "bearer" },
      oauth: {
        type: "oauth2",
        flows: {
          clientCredentials: { tokenUrl: "https://id.example/token", scopes },
          authorizationCode: {
            authorizationUrl: "https://id.example/authorize",
            tokenUrl: "https://id.example/token",
            scopes: { "orders.read": "A second description, ignored", "orders.admin": "Administer" },
          },
        },
      },
    },
  },
});

describe("importing and exporting permissions", () => {
  it("imports Keyward's JSON: adds new, updates descriptions, never removes; exports it back", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const api = await makeApi({ permissions: ["orders.read", "orders.old"] });
    await db.apiPermission.update({
      where: { id: api.permissionIds["orders.old"] ?? "" },
      data: { deprecatedAt: new Date() },
    });
    const input = importPermissionsSchema.parse({
      permissions: [
        { name: "orders.read", description: "Read orders" },
        { name: "orders.write", description: "Change orders" },
      ],
    });
    expect(await importPermissions({ actor: admin, id: api.id, input, context })).toEqual({
      added: 1,
      updated: 1,
      unchanged: 0,
    });
    expect(await importPermissions({ actor: admin, id: api.id, input, context })).toEqual({
      added: 0,
      updated: 0,
      unchanged: 2,
    });
    const exported = await exportPermissions({ actor: admin, id: api.id });
    expect(exported).toEqual({
      api: { name: api.name, identifier: api.identifier },
      permissions: [
        { name: "orders.old", description: expect.any(String), deprecated: true },
        { name: "orders.read", description: "Read orders", deprecated: false },
        { name: "orders.write", description: "Change orders", deprecated: false },
      ],
    });
    // The export reads back (its `api` and `deprecated` are ignored): nothing changes.
    const roundTrip = importPermissionsSchema.parse(exported);
    expect(await importPermissions({ actor: admin, id: api.id, input: roundTrip, context })).toEqual({
      added: 0,
      updated: 0,
      unchanged: 3,
    });
    const events = await db.auditEvent.findMany({
      where: { action: "api_permissions.imported", targetId: api.id },
    });
    expect(events).toHaveLength(1);
    expect(events[0]?.details).toMatchObject({
      counts: { added: 1, updated: 1, unchanged: 0 },
      added: ["orders.write"],
      updated: ["orders.read"],
    });
  });

  it("imports the OAuth scopes of an OpenAPI document's security schemes", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const api = await makeApi();
    const input = parseImport(
      JSON.stringify(openApi({ "orders.read": "Read orders", "read:invoices": "Invoices" })),
    );
    expect(input.permissions).toEqual([
      { name: "orders.read", description: "Read orders" },
      { name: "read:invoices", description: "Invoices" },
      { name: "orders.admin", description: "Administer" },
    ]);
    expect(await importPermissions({ actor: admin, id: api.id, input, context })).toMatchObject({ added: 3 });
    // Keyward's own OpenAPI document is one: its client-credentials scopes are its permissions.
    const own = importPermissionsSchema.parse(openApiDocument());
    expect(own.permissions.map((permission) => permission.name).sort()).toEqual([...PERMISSIONS].sort());
  });

  it("refuses bad documents with a clear 400 and writes nothing", async () => {
    const bad: [unknown, string][] = [
      [{ permissions: [{ name: "Orders" }] }, "permissions.0.name"],
      [{ permissions: [{ name: "a" }, { name: "a" }] }, "permissions.1.name"],
      [{ permissions: [] }, "permissions"],
      [{}, "permissions"],
      [{ permissions: Array.from({ length: 1001 }, (_, i) => ({ name: `p${i}` })) }, "permissions"],
      [{ openapi: "2.0", components: { securitySchemes: {} } }, "openapi"],
      [{ openapi: "3.1.0" }, "components"],
      [
        { openapi: "3.0.0", components: { securitySchemes: { b: { type: "http" } } } },
        "components.securitySchemes",
      ],
      [
        openApi({ "Bad Scope": "x" }),
        "components.securitySchemes.oauth.flows.clientCredentials.scopes.Bad Scope",
      ],
      [openApi({ "a.b": 7 }), "components.securitySchemes.oauth.flows.clientCredentials.scopes.a.b"],
    ];
    for (const [value, path] of bad) {
      const parsed = importPermissionsSchema.safeParse(value);
      expect(parsed.success, JSON.stringify(value).slice(0, 80)).toBe(false);
      expect(
        parsed.error?.issues.map((issue) => issue.path.join(".")),
        path,
      ).toContain(path);
    }
    expect(() => parseImport("{not json")).toThrow(/not valid JSON/);
    expect(() => parseImport('{"permissions":[{"name":"a","description":"\\ud800"}]}')).toThrow(/Unicode/);
    expect(() => parseImport(" ".repeat(1024 * 1024 + 1))).toThrow(/larger/);
  });

  it("is for the API's editors; export for its readers; never into the built-in API", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { principal: reader } = await developerWith(["apis.read"]);
    const { principal: blind } = await developerWith([]);
    const api = await makeApi({ permissions: ["orders.read"] });
    const input = { permissions: [{ name: "orders.write", description: "" }] };
    expect(await codeOf(importPermissions({ actor: reader, id: api.id, input, context }))).toBe("forbidden");
    expect(await codeOf(importPermissions({ actor: blind, id: api.id, input, context }))).toBe("not_found");
    expect(await codeOf(importPermissions({ actor: admin, id: BUILT_IN_API_ID, input, context }))).toBe(
      "forbidden",
    );
    expect(await codeOf(exportPermissions({ actor: reader, id: api.id }))).toBe("ok");
    expect(await codeOf(exportPermissions({ actor: blind, id: api.id }))).toBe("not_found");
    const own = await exportPermissions({ actor: reader, id: BUILT_IN_API_ID });
    expect(own.permissions.map((permission) => permission.name)).toEqual([...PERMISSIONS].sort());
    expect(await db.apiPermission.count({ where: { apiId: api.id } })).toBe(1);
  });
});
