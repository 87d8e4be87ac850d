import { describe, expect, it } from "vitest";
import { randomBytes } from "node:crypto";

import { PATCH as rolePatch } from "../../app/api/v1/roles/[roleId]/route.ts";
import {
  makePrincipal,
  makeRole,
  makeUser,
  signedInCookie,
  storedRolePermissions,
  TEST_CONTEXT,
} from "../../test/factories.ts";
import { call } from "../../test/requests.ts";
import { resolveSession } from "../auth/sessions.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
import { getRole } from "./list-roles.ts";
import { holdersOfPermission } from "./permission-matrix.ts";
import { createRole, deleteRole, updateRole } from "./manage-role.ts";
import { roleFieldsSchema } from "./role-schemas.ts";

const context = TEST_CONTEXT;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => e as AppError,
  );

describe("custom roles", () => {
  it("names compare case-insensitively and literally: LIKE metacharacters are plain text", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const tag = randomBytes(3).toString("hex");
    for (const name of [`Ops ${tag} \\`, `Ops ${tag} %`, `Ops ${tag} _x`]) {
      await createRole({ ...roleFieldsSchema.parse({ name }), actor: principal, context });
      const again = await failure(
        createRole({ ...roleFieldsSchema.parse({ name: name.toUpperCase() }), actor: principal, context }),
      );
      expect(again?.code, name).toBe("invalid");
    }
    // "%" is not a wildcard: a different name that it would match is free.
    await createRole({
      ...roleFieldsSchema.parse({ name: `Ops ${tag} anything` }),
      actor: principal,
      context,
    });
  });

  // Guarantee: a grant this version does not define is reported and survives a save of the known ones.
  it("keeps and reports a stored grant this version does not define", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const role = await makeRole(["users.read"]);
    await db.apiPermission.upsert({
      where: { id: "perm_keyward_reports.export" },
      create: { id: "perm_keyward_reports.export", apiId: "api_keyward", name: "reports.export" },
      update: {},
    });
    await db.rolePermission.create({
      data: { roleId: role.id, permissionId: "perm_keyward_reports.export" },
    });
    const view = await getRole(principal, role.id);
    expect(view.permissions).toEqual(["users.read"]);
    expect(view.unresolvedPermissions).toEqual(["reports.export"]);
    await updateRole({
      roleId: role.id,
      name: role.name,
      description: "",
      permissions: ["audit.read"],
      requiresMfa: false,
      actor: principal,
      context,
    });
    expect(await storedRolePermissions(role.id)).toEqual({
      permissions: ["audit.read"],
      unresolved: ["reports.export"],
    });
  });

  it("are created, renamed and narrowed, with before/after in the audit log, and holders feel it at once", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const fields = roleFieldsSchema.parse({
      name: "Support",
      permissions: ["users.read", "audit.read", "users.read"],
    });
    expect(fields.permissions).toEqual(["audit.read", "users.read"]);
    const { id } = await createRole({ ...fields, actor: principal, context });
    const holder = await makePrincipal([], [id]);
    expect(holder.principal.permissions.has("audit.read")).toBe(true);

    await updateRole({
      ...fields,
      roleId: id,
      name: "Support desk",
      permissions: ["users.read"],
      actor: principal,
      context,
    });
    expect((await resolveSession(holder.principal.sessionId))?.permissions.has("audit.read")).toBe(false);
    const event = await db.auditEvent.findFirst({ where: { action: "role.updated", targetId: id } });
    expect(event?.details).toMatchObject({
      before: { name: "Support", permissions: ["audit.read", "users.read"] },
      after: { name: "Support desk", permissions: ["users.read"] },
    });

    const holders = await holdersOfPermission(principal, "users.read");
    expect(holders.find((h) => h.id === holder.user.id)?.via).toEqual(["Support desk"]);
  });

  it("refuses duplicate names (any case, built-in names included) and unknown permissions", async () => {
    const { principal } = await makePrincipal(["admin"]);
    await createRole({ ...roleFieldsSchema.parse({ name: "Billing" }), actor: principal, context });
    for (const name of ["billing", "Administrator", "member"]) {
      expect(
        (await failure(createRole({ ...roleFieldsSchema.parse({ name }), actor: principal, context })))?.extra
          .fields?.[0]?.path,
      ).toBe("name");
    }
    expect(roleFieldsSchema.safeParse({ name: "X", permissions: ["users.delete"] }).success).toBe(false);
    expect(roleFieldsSchema.safeParse({ name: "x".repeat(61) }).success).toBe(false);
  });

  it("a held role is deleted only with confirmation, which removes it from its holders", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const { id } = await createRole({
      ...roleFieldsSchema.parse({ name: "Temp", permissions: ["audit.read"] }),
      actor: principal,
      context,
    });
    const holder = await makeUser();
    await db.roleAssignment.create({ data: { userId: holder.id, roleId: id } });
    const refused = await failure(
      deleteRole({ roleId: id, removeFromHolders: false, actor: principal, context }),
    );
    expect(refused?.code).toBe("conflict");
    expect(refused?.message).toContain("assigned to 1 user");
    await deleteRole({ roleId: id, removeFromHolders: true, actor: principal, context });
    expect(await db.role.findUnique({ where: { id } })).toBeNull();
    expect(await db.roleAssignment.count({ where: { userId: holder.id } })).toBe(0);
    expect(
      (await db.auditEvent.findFirst({ where: { action: "role.deleted", targetId: id } }))?.details,
    ).toMatchObject({ removedFromHolders: 1 });
  });
});

// Guarantee: editing or deleting a role, whatever part of it, needs every permission the role grants.
describe("a role is managed only by someone who holds everything it grants", () => {
  async function roleManager() {
    const role = await makeRole(["roles.read", "roles.write"]);
    return makePrincipal([], [role.id]);
  }

  it("a roles.write holder without users.write can neither rename Administrator nor untick its requires-MFA", async () => {
    const { principal } = await roleManager();
    const admin = await db.role.findUniqueOrThrow({ where: { builtInKey: "admin" } });
    await db.role.update({ where: { id: admin.id }, data: { requiresMfa: true } });
    const base = {
      actor: principal,
      roleId: admin.id,
      description: admin.description,
      permissions: (await storedRolePermissions(admin.id)).permissions,
      context,
    };
    const untick = await failure(updateRole({ ...base, name: admin.name, requiresMfa: false }));
    expect(untick?.code).toBe("forbidden");
    expect(untick?.message).toContain("users.write");
    const rename = await failure(updateRole({ ...base, name: "Harmless", requiresMfa: true }));
    expect(rename?.code).toBe("forbidden");
    const after = await db.role.findUniqueOrThrow({ where: { id: admin.id } });
    expect(after).toMatchObject({ name: admin.name, requiresMfa: true });
    expect(await db.auditEvent.count({ where: { action: "role.updated", targetId: admin.id } })).toBe(0);
  });

  it("a custom role granting what the actor lacks keeps its name, description and flag, and is not deleted", async () => {
    const { principal } = await roleManager();
    const powerful = await makeRole(["users.write"]);
    const base = { actor: principal, roleId: powerful.id, permissions: ["users.write" as const], context };
    for (const edit of [
      { name: "Renamed", description: "", requiresMfa: false },
      { name: powerful.name, description: "now harmless", requiresMfa: false },
      { name: powerful.name, description: "", requiresMfa: true },
    ]) {
      expect((await failure(updateRole({ ...base, ...edit })))?.code).toBe("forbidden");
    }
    expect(
      (await failure(deleteRole({ actor: principal, roleId: powerful.id, removeFromHolders: true, context })))
        ?.code,
    ).toBe("forbidden");
    expect(await db.role.findUniqueOrThrow({ where: { id: powerful.id } })).toMatchObject({
      name: powerful.name,
      description: "",
      requiresMfa: false,
    });
  });

  it("someone who holds everything the role grants still edits it", async () => {
    const { principal } = await makePrincipal([], [(await makeRole(["roles.write", "users.write"])).id]);
    const custom = await makeRole(["users.write"]);
    await updateRole({
      actor: principal,
      roleId: custom.id,
      name: "Editors",
      description: "",
      permissions: ["users.write"],
      requiresMfa: true,
      context,
    });
    expect(await db.role.findUniqueOrThrow({ where: { id: custom.id } })).toMatchObject({
      name: "Editors",
      requiresMfa: true,
    });
  });

  it("PATCH /api/v1/roles/{id} answers a 403 problem, and the role stays as it was", async () => {
    const role = await makeRole(["roles.read", "roles.write"]);
    const user = await makeUser();
    await db.roleAssignment.create({ data: { userId: user.id, roleId: role.id } });
    const { cookie } = await signedInCookie(user.id);
    const admin = await db.role.findUniqueOrThrow({ where: { builtInKey: "admin" } });
    await db.role.update({ where: { id: admin.id }, data: { requiresMfa: true } });
    const response = await call(rolePatch, {
      method: "PATCH",
      path: `/api/v1/roles/${admin.id}`,
      params: { roleId: admin.id },
      cookie,
      json: {
        name: admin.name,
        description: admin.description,
        permissions: (await storedRolePermissions(admin.id)).permissions,
        requiresMfa: false,
      },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    expect(String(response.body.detail)).toContain("users.write");
    expect((await db.role.findUniqueOrThrow({ where: { id: admin.id } })).requiresMfa).toBe(true);
  });
});
