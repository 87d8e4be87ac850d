import { describe, expect, it } from "vitest";

import { makePrincipal, makeUser, TEST_CONTEXT } from "../../test/factories.ts";
import { resolveSession } from "../auth/sessions.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";
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
