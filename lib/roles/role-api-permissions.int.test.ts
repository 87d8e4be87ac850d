import { describe, expect, it } from "vitest";

import { PATCH as rolePatch } from "../../app/api/v1/roles/[roleId]/route.ts";
import { GET as userGet } from "../../app/api/v1/users/[userId]/route.ts";
import { makeApi, makeApiRole } from "../../test/api-factories.ts";
import { makePrincipal, makeUser, present, signedInCookie, TEST_CONTEXT } from "../../test/factories.ts";
import { call } from "../../test/requests.ts";
import { db } from "../db/client.ts";
import { getUser } from "../users/get-user.ts";
import { builtInRoleId } from "./ensure-built-in-roles.ts";
import { getRole } from "./list-roles.ts";
import { createRole } from "./manage-role.ts";
import { holdersOfPermission, permissionMatrix } from "./permission-matrix.ts";

const context = TEST_CONTEXT;

// Guarantee: what a role grants at other APIs is what every view shows (role, matrix, holders, a
// user's effective permissions), with its provenance, and the REST API reads and writes it.
describe("roles and other APIs' permissions", () => {
  it("the matrix works per API, roles paged, Administrator marked as holding all", async () => {
    const orders = await makeApi({ label: "Orders API", permissions: ["orders.read", "orders.write"] });
    const read = present(orders.permissionIds["orders.read"]);
    const role = await makeApiRole([read]);
    const { principal } = await makePrincipal(["admin"]);
    const matrix = await permissionMatrix(principal, { apiId: orders.id, limit: 200 });
    expect(matrix.api.name).toBe(orders.name);
    expect(matrix.permissions.map((p) => p.name)).toEqual(["orders.read", "orders.write"]);
    expect(matrix.apis[0]?.id).toBe("api_keyward");
    const row = matrix.roles.find((r) => r.id === role.id);
    // The page may not reach a role created by another test file; walk the pages to it.
    let found = row;
    let cursor = matrix.nextCursor;
    const seen = new Set(matrix.roles.map((r) => r.id));
    while (!found && cursor) {
      const next = await permissionMatrix(principal, { apiId: orders.id, cursor, limit: 200 });
      for (const r of next.roles) {
        expect(seen.has(r.id), "no role twice across pages").toBe(false);
        seen.add(r.id);
      }
      found = next.roles.find((r) => r.id === role.id);
      cursor = next.nextCursor;
    }
    expect([...present(found).granted]).toEqual([read]);
    expect(matrix.roles.find((r) => r.name === "Administrator")?.all).toBe(true);
    // Keyward's own API by default: Administrator's grants are rows there, not "all".
    const own = await permissionMatrix(principal, { limit: 5 });
    expect(own.api.builtIn).toBe(true);
    expect(own.roles).toHaveLength(5);
    const second = await permissionMatrix(principal, { limit: 5, cursor: present(own.nextCursor) });
    expect(second.roles.map((r) => r.id)).not.toContain(own.roles[0]?.id);
    const admin = own.roles.find((r) => r.name === "Administrator");
    expect(admin?.all).toBe(false);
    expect(admin?.granted.size).toBe(own.permissions.length);
  });

  it("who holds it, and a user's effective permissions, say through which role (or Administrator)", async () => {
    const orders = await makeApi({
      label: "Orders API",
      permissions: ["orders.read", "orders.old"],
      deprecated: ["orders.old"],
    });
    const read = present(orders.permissionIds["orders.read"]);
    const old = present(orders.permissionIds["orders.old"]);
    const role = await makeApiRole([read, old]);
    const holder = await makeUser();
    await db.roleAssignment.create({ data: { userId: holder.id, roleId: role.id } });
    const admin = await makePrincipal(["admin"]);
    const holders = await holdersOfPermission(admin.principal, read, 10_000);
    expect(holders.find((u) => u.id === holder.id)?.via).toEqual([role.name]);
    expect(holders.find((u) => u.id === admin.user.id)?.via).toEqual([
      "Administrator (every permission of every API)",
    ]);
    // Keyward's own names still work.
    expect(
      (await holdersOfPermission(admin.principal, "users.read", 10_000)).some((u) => u.id === admin.user.id),
    ).toBe(true);

    const detail = await getUser(admin.principal, holder.id);
    expect(detail.apiPermissions).toEqual([
      {
        api: { id: orders.id, name: orders.name, identifier: orders.identifier },
        permissions: [
          { id: old, name: "orders.old", deprecated: true, roles: [role.name] },
          { id: read, name: "orders.read", deprecated: false, roles: [role.name] },
        ],
      },
    ]);
    expect(detail.everyApiPermissionVia).toBeNull();
    expect((await getUser(admin.principal, admin.user.id)).everyApiPermissionVia).toBe("Administrator");
    const { cookie } = await signedInCookie(admin.user.id);
    const rest = await call(userGet, {
      path: `/api/v1/users/${holder.id}`,
      cookie,
      params: { userId: holder.id },
    });
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ everyApiPermissionVia: null });
  });

  it("REST: PATCH writes apiPermissionIds and answers apiPermissions; bad ids are 400, not 500", async () => {
    const orders = await makeApi({ label: "Orders API", permissions: ["orders.read"] });
    const read = present(orders.permissionIds["orders.read"]);
    const { principal, user } = await makePrincipal(["admin"]);
    const { id } = await createRole({
      name: `Rest ${Math.random()}`,
      description: "",
      permissions: [],
      requiresMfa: false,
      actor: principal,
      context,
    });
    const { cookie } = await signedInCookie(user.id);
    const patch = (json: unknown) =>
      call(rolePatch, { path: `/api/v1/roles/${id}`, method: "PATCH", cookie, params: { roleId: id }, json });
    const ok = await patch({ name: "Renamed " + id, permissions: [], apiPermissionIds: [read] });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({
      apiPermissions: [
        {
          id: read,
          api: { id: orders.id, name: orders.name },
          name: "orders.read",
          deprecated: false,
        },
      ],
      allApiPermissions: false,
    });
    for (const bad of [["perm_does_not_exist"], ["has space"], "nope", [7]]) {
      const response = await patch({ name: "Renamed " + id, permissions: [], apiPermissionIds: bad });
      expect(response.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await getRole(principal, id)).apiPermissions.map((p) => p.id)).toEqual([read]);
    const adminRole = await getRole(principal, await builtInRoleId(db, "admin"));
    expect(adminRole).toMatchObject({ allApiPermissions: true, apiPermissions: [] });
    // A built-in role keeps Keyward's own permissions but takes other APIs' (they are data); the
    // Administrator holds them all already.
    const dev = await builtInRoleId(db, "developer");
    const devRole = await getRole(principal, dev);
    const devPatch = (apiPermissionIds: string[]) =>
      call(rolePatch, {
        path: `/api/v1/roles/${dev}`,
        method: "PATCH",
        cookie,
        params: { roleId: dev },
        json: { name: devRole.name, permissions: devRole.permissions, apiPermissionIds },
      });
    expect((await devPatch([read])).status).toBe(200);
    expect((await getRole(principal, dev)).apiPermissions.map((p) => p.id)).toEqual([read]);
    expect((await devPatch([])).status).toBe(200);
    expect((await getRole(principal, dev)).apiPermissions).toEqual([]);
    const admin = await builtInRoleId(db, "admin");
    const refused = await call(rolePatch, {
      path: `/api/v1/roles/${admin}`,
      method: "PATCH",
      cookie,
      params: { roleId: admin },
      json: { name: adminRole.name, permissions: adminRole.permissions, apiPermissionIds: [read] },
    });
    expect(refused.status).toBe(409);
  });
});
