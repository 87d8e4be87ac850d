import { describe, expect, it } from "vitest";

import { makeApi, makeApiRole } from "../../test/api-factories.ts";
import { mintTestToken } from "../../test/credentials.ts";
import {
  makePrincipal,
  makeRole,
  makeUser,
  present,
  storedRolePermissions,
  TEST_CONTEXT,
} from "../../test/factories.ts";
import { call } from "../../test/requests.ts";
import { POST as rolesRoute } from "../../app/api/v1/roles/route.ts";
import { getRole } from "../roles/list-roles.ts";
import { PERMISSIONS } from "./permissions.ts";
import { resolveSession } from "../auth/sessions.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { builtInRoleId } from "../roles/ensure-built-in-roles.ts";
import { createRole, deleteRole, updateRole } from "../roles/manage-role.ts";
import { inviteUser } from "../users/invitations.ts";
import { deleteUser, disableUser, updateUser } from "../users/manage-user.ts";
import { assignRole, removeRole } from "../users/role-assignments.ts";

const context = TEST_CONTEXT;
const code = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );

// Guarantee: nobody grants, through any path, a permission they do not hold.
describe("privilege escalation is refused", () => {
  it("a role manager cannot create a role with settings.write, nor add it to a role", async () => {
    const roleManager = await makeRole(["roles.read", "roles.write", "users.read", "users.write"]);
    const { principal } = await makePrincipal([], [roleManager.id]);
    const base = { description: "", requiresMfa: false, actor: principal, context };
    expect(await code(createRole({ ...base, name: "Sneaky", permissions: ["settings.write"] }))).toBe(
      "forbidden",
    );
    const custom = await makeRole(["users.read"]);
    expect(
      await code(
        updateRole({
          ...base,
          roleId: custom.id,
          name: custom.name,
          permissions: ["users.read", "settings.write"],
        }),
      ),
    ).toBe("forbidden");
    expect((await storedRolePermissions(custom.id)).permissions).toEqual(["users.read"]);
  });

  it("a user manager cannot assign Administrator, nor invite someone as one", async () => {
    const { principal } = await makePrincipal(["user_manager"]);
    const target = await makeUser();
    const adminRole = await builtInRoleId(db, "admin");
    expect(await code(assignRole({ actor: principal, userId: target.id, roleId: adminRole, context }))).toBe(
      "forbidden",
    );
    expect(
      await code(
        inviteUser({
          actor: principal,
          email: "boss@example.test",
          name: "Boss",
          roleIds: [adminRole],
          context,
        }),
      ),
    ).toBe("forbidden");
    expect(await db.user.findUnique({ where: { email: "boss@example.test" } })).toBeNull();
  });

  it("a custom-role holder cannot edit their own role upward, and their permissions stay as they were", async () => {
    const own = await makeRole(["roles.read", "roles.write"]);
    const { principal } = await makePrincipal([], [own.id]);
    const attempt = updateRole({
      actor: principal,
      roleId: own.id,
      name: own.name,
      description: "",
      permissions: ["roles.read", "roles.write", "users.write"],
      requiresMfa: false,
      context,
    });
    expect(await code(attempt)).toBe("forbidden");
    expect([...((await resolveSession(principal.sessionId))?.permissions ?? [])].sort()).toEqual([
      "roles.read",
      "roles.write",
    ]);
  });

  it("a user manager cannot take over, disable, delete or demote an Administrator", async () => {
    const { principal } = await makePrincipal(["user_manager"]);
    const admin = await makeUser({ roles: ["admin"] });
    expect(
      await code(
        updateUser({
          actor: principal,
          userId: admin.id,
          name: "x",
          email: "attacker@example.test",
          context,
        }),
      ),
    ).toBe("forbidden");
    expect(await code(disableUser({ actor: principal, userId: admin.id, context }))).toBe("forbidden");
    expect(await code(deleteUser({ actor: principal, userId: admin.id, context }))).toBe("forbidden");
    expect(
      await code(
        removeRole({ actor: principal, userId: admin.id, roleId: await builtInRoleId(db, "admin"), context }),
      ),
    ).toBe("forbidden");
    expect((await db.user.findUniqueOrThrow({ where: { id: admin.id } })).email).toBe(admin.email);
  });

  it("removing a role from a user needs the right to manage that user, not only the role's permissions", async () => {
    const { principal } = await makePrincipal(["user_manager"]);
    // The target holds clients.write (through Developer), which the User manager does not.
    const target = await makeUser({ roles: ["user_manager", "developer"] });
    const userManager = await builtInRoleId(db, "user_manager");
    const refused = removeRole({ actor: principal, userId: target.id, roleId: userManager, context });
    expect(await code(refused)).toBe("forbidden");
    expect(await db.roleAssignment.count({ where: { userId: target.id } })).toBe(2);
    // A user they may manage (holding nothing beyond the actor's permissions) is fine.
    const peer = await makeUser({ roles: ["user_manager"] });
    expect(await code(removeRole({ actor: principal, userId: peer.id, roleId: userManager, context }))).toBe(
      "ok",
    );
  });

  it("assigning a role to a user also needs the right to manage them (a requires-MFA role would lock out their tokens)", async () => {
    const { principal } = await makePrincipal(["user_manager"]);
    const target = await makeUser({ roles: ["user_manager", "developer"] });
    const harmless = await makeRole([]);
    await db.role.update({ where: { id: harmless.id }, data: { requiresMfa: true } });
    expect(
      await code(assignRole({ actor: principal, userId: target.id, roleId: harmless.id, context })),
    ).toBe("forbidden");
    expect(await db.roleAssignment.count({ where: { userId: target.id } })).toBe(2);
    const peer = await makeUser();
    expect(await code(assignRole({ actor: principal, userId: peer.id, roleId: harmless.id, context }))).toBe(
      "ok",
    );
  });

  it("a role holders' deletion needs the role's permissions too", async () => {
    const { principal } = await makePrincipal([], [(await makeRole(["roles.read", "roles.write"])).id]);
    const powerful = await makeRole(["settings.write"]);
    expect(
      await code(deleteRole({ actor: principal, roleId: powerful.id, removeFromHolders: true, context })),
    ).toBe("forbidden");
  });

  it("built-in roles keep their permissions; only requires-MFA changes", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const member = await db.role.findUniqueOrThrow({ where: { builtInKey: "member" } });
    const base = { actor: principal, roleId: member.id, name: member.name, description: "", context };
    expect(await code(updateRole({ ...base, permissions: ["users.read"], requiresMfa: false }))).toBe(
      "conflict",
    );
    expect(await code(updateRole({ ...base, permissions: [], requiresMfa: true }))).toBe("ok");
    expect((await db.role.findUniqueOrThrow({ where: { id: member.id } })).requiresMfa).toBe(true);
    expect(
      await code(deleteRole({ actor: principal, roleId: member.id, removeFromHolders: true, context })),
    ).toBe("conflict");
  });
});

// Guarantee: nobody locks the organisation out.
describe("last Administrator and self-lockout", () => {
  it("the last active Administrator cannot be demoted, disabled or deleted; nobody disables or deletes themselves", async () => {
    await db.user.updateMany({
      where: { roles: { some: { role: { builtInKey: "admin" } } } },
      data: { status: "disabled" },
    });
    const { principal, user } = await makePrincipal(["admin"]);
    const adminRole = await builtInRoleId(db, "admin");
    expect(await code(removeRole({ actor: principal, userId: user.id, roleId: adminRole, context }))).toBe(
      "conflict",
    );
    expect(await code(disableUser({ actor: principal, userId: user.id, context }))).toBe("conflict");
    expect(await code(deleteUser({ actor: principal, userId: user.id, context }))).toBe("conflict");

    // With a second Administrator, demoting the first is fine, and the second is then the last.
    const second = await makePrincipal(["admin"]);
    expect(
      await code(removeRole({ actor: second.principal, userId: user.id, roleId: adminRole, context })),
    ).toBe("ok");
    expect(
      await code(removeRole({ actor: second.principal, userId: second.user.id, roleId: adminRole, context })),
    ).toBe("conflict");
  });

  it("disabling ends the user's sessions at once; a role change applies on their next request", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const target = await makePrincipal(["developer"]);
    await removeRole({
      actor: admin,
      userId: target.user.id,
      roleId: await builtInRoleId(db, "developer"),
      context,
    });
    expect((await resolveSession(target.principal.sessionId))?.permissions.size).toBe(0);
    await disableUser({ actor: admin, userId: target.user.id, context });
    expect(await resolveSession(target.principal.sessionId)).toBeNull();
  });
});

// Guarantee: across APIs too, nobody grants a permission they do not hold (issue 14): a role
// holding orders.read of the Orders API grants that and nothing else of any API; an API's owner
// grants its own API's permissions and no other's; a bearer grants no other API's permissions;
// deprecated permissions take no new grants.
describe("privilege escalation across APIs is refused", () => {
  async function world() {
    const orders = await makeApi({
      label: "Orders API",
      permissions: ["orders.read", "orders.write", "orders.legacy"],
      deprecated: ["orders.legacy"],
    });
    const billing = await makeApi({ label: "Billing API", permissions: ["invoices.read"] });
    const id = (api: typeof orders, name: string) => present(api.permissionIds[name], name);
    const editorRole = await makeRole(["roles.read", "roles.write"]);
    const ordersReader = await makeApiRole([id(orders, "orders.read")]);
    const editor = await makePrincipal([], [editorRole.id, ordersReader.id]);
    const owner = await makePrincipal([], [editorRole.id]);
    await db.api.update({ where: { id: orders.id }, data: { ownerId: owner.user.id } });
    const admin = await makePrincipal(["admin"]);
    return {
      admin: admin.principal,
      editor: editor.principal,
      owner: owner.principal,
      ordersRead: id(orders, "orders.read"),
      ordersWrite: id(orders, "orders.write"),
      ordersLegacy: id(orders, "orders.legacy"),
      invoicesRead: id(billing, "invoices.read"),
    };
  }

  it("grants on role creation: only what the actor holds or owns", async () => {
    const w = await world();
    const cases: [string, keyof typeof w, (keyof typeof w)[], string][] = [
      ["the orders.read holder grants orders.read", "editor", ["ordersRead"], "ok"],
      ["the orders.read holder cannot grant orders.write", "editor", ["ordersWrite"], "forbidden"],
      ["the orders.read holder cannot grant a Billing permission", "editor", ["invoicesRead"], "forbidden"],
      ["nor both at once", "editor", ["ordersRead", "invoicesRead"], "forbidden"],
      ["the Orders owner grants orders.write", "owner", ["ordersRead", "ordersWrite"], "ok"],
      ["the Orders owner cannot grant a Billing permission", "owner", ["invoicesRead"], "forbidden"],
      ["the Administrator grants any API's permission", "admin", ["ordersWrite", "invoicesRead"], "ok"],
      ["nobody newly grants a deprecated permission", "admin", ["ordersLegacy"], "invalid"],
      ["not even its owner", "owner", ["ordersLegacy"], "invalid"],
    ];
    for (const [label, who, grants, expected] of cases) {
      const actor = w[who];
      if (typeof actor === "string") throw new Error("not an actor");
      const result = await code(
        createRole({
          name: `X ${Math.random()}`,
          description: "",
          permissions: [],
          requiresMfa: false,
          apiPermissionIds: grants.map((key) => String(w[key])),
          actor,
          context,
        }),
      );
      expect(result, label).toBe(expected);
    }
  });

  it("edits and deletions: removing counts, and a role's other grants stay out of reach", async () => {
    const w = await world();
    const strong = await makeApiRole([w.ordersRead, w.ordersWrite, w.invoicesRead]);
    const base = { description: "", permissions: [], requiresMfa: false, context };
    // Taking orders.write away is touching it: refused to the orders.read holder, as is deletion.
    expect(
      await code(
        updateRole({
          ...base,
          roleId: strong.id,
          name: strong.name,
          apiPermissionIds: [w.ordersRead, w.invoicesRead],
          actor: w.editor,
        }),
      ),
    ).toBe("forbidden");
    expect(
      await code(deleteRole({ roleId: strong.id, removeFromHolders: true, actor: w.editor, context })),
    ).toBe("forbidden");
    expect(
      await code(deleteRole({ roleId: strong.id, removeFromHolders: true, actor: w.owner, context })),
    ).toBe("forbidden");
    // The owner may change the Orders grants of a role that also grants Billing's: untouched ones stay.
    expect(
      await code(
        updateRole({
          ...base,
          roleId: strong.id,
          name: strong.name,
          apiPermissionIds: [w.ordersRead, w.invoicesRead],
          actor: w.owner,
        }),
      ),
    ).toBe("ok");
    const kept = await db.rolePermission.findMany({ where: { roleId: strong.id } });
    expect(kept.map((row) => row.permissionId).sort()).toEqual([w.ordersRead, w.invoicesRead].sort());
    // Omitting apiPermissionIds (an older client sending only `permissions`) leaves them alone.
    await updateRole({ ...base, roleId: strong.id, name: strong.name, actor: w.admin });
    expect(await db.rolePermission.count({ where: { roleId: strong.id } })).toBe(2);
  });

  it("a deprecated grant already on a role is kept on save, flagged in the view, and never re-added", async () => {
    const w = await world();
    const role = await makeApiRole([w.ordersRead, w.ordersLegacy]);
    const base = { description: "", permissions: [], requiresMfa: false, context, actor: w.admin };
    await updateRole({
      ...base,
      roleId: role.id,
      name: `${role.name} renamed`,
      apiPermissionIds: [w.ordersRead, w.ordersLegacy],
    });
    const view = await getRole(w.admin, role.id);
    expect(view.apiPermissions.map((p) => [p.name, p.deprecated])).toEqual([
      ["orders.legacy", true],
      ["orders.read", false],
    ]);
    await updateRole({ ...base, roleId: role.id, name: role.name, apiPermissionIds: [w.ordersRead] });
    expect(
      await code(
        updateRole({
          ...base,
          roleId: role.id,
          name: role.name,
          apiPermissionIds: [w.ordersRead, w.ordersLegacy],
        }),
      ),
    ).toBe("invalid");
  });

  it("a bearer (a PAT with roles.write) grants no other API's permission, even an Administrator's", async () => {
    const w = await world();
    const { principal } = await makePrincipal(["admin"]);
    const pat = await mintTestToken(principal, ["roles.read", "roles.write"]);
    const name = `Via PAT ${Math.random()}`;
    const response = await call(rolesRoute, {
      path: "/api/v1/roles",
      bearer: pat.token,
      json: { name, permissions: ["roles.read"], apiPermissionIds: [w.ordersRead] },
    });
    expect(response.status).toBe(403);
    expect(JSON.stringify(response.body)).toContain("signed-in session");
    expect(await db.role.findUnique({ where: { name } })).toBeNull();
    // Keyward's own permissions by bearer still work as before.
    const own = await call(rolesRoute, {
      path: "/api/v1/roles",
      bearer: pat.token,
      json: { name, permissions: ["roles.read"] },
    });
    expect(own.status).toBe(201);
    expect(own.body).toMatchObject({ apiPermissions: [], allApiPermissions: false });
  });

  it("Keyward's own permission ids are refused in apiPermissionIds (they are `permissions`)", async () => {
    const w = await world();
    expect(
      await code(
        createRole({
          name: `X ${Math.random()}`,
          description: "",
          permissions: [],
          requiresMfa: false,
          apiPermissionIds: ["perm_keyward_roles.read"],
          actor: w.admin,
          context,
        }),
      ),
    ).toBe("invalid");
  });
});

// Guarantee: giving or taking a role is granting what it carries, other APIs' permissions included;
// Administrator carries every permission of every API, so only someone holding them all gives it.
describe("role assignment across APIs", () => {
  it("needs every other-API permission the role grants, and all of them for Administrator", async () => {
    const orders = await makeApi({ label: "Orders API", permissions: ["orders.read", "orders.write"] });
    const write = present(orders.permissionIds["orders.write"]);
    const ordersWriter = await makeApiRole([write]);
    const keywardAll = await makeRole([...PERMISSIONS]);
    const { principal: manager } = await makePrincipal([], [keywardAll.id]);
    const target = await makeUser();
    const adminRole = await builtInRoleId(db, "admin");
    expect(
      await code(assignRole({ actor: manager, userId: target.id, roleId: ordersWriter.id, context })),
    ).toBe("forbidden");
    // Holding every Keyward permission is not holding Orders API's: Administrator stays out of reach.
    expect(await code(assignRole({ actor: manager, userId: target.id, roleId: adminRole, context }))).toBe(
      "forbidden",
    );
    const { principal: admin } = await makePrincipal(["admin"]);
    expect(
      await code(assignRole({ actor: admin, userId: target.id, roleId: ordersWriter.id, context })),
    ).toBe("ok");
    expect(
      await code(removeRole({ actor: manager, userId: target.id, roleId: ordersWriter.id, context })),
    ).toBe("forbidden");
  });
});
