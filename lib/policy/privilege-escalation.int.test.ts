import { describe, expect, it } from "vitest";

import {
  makePrincipal,
  makeRole,
  makeUser,
  storedRolePermissions,
  TEST_CONTEXT,
} from "../../test/factories.ts";
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
