import { auditActor } from "../audit/actor.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { newId } from "../crypto/ids.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, Invalid, NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { BUILT_IN_ROLES } from "../policy/built-in-roles.ts";
import { assertCanGrant, roleRefusal } from "../policy/grants.ts";
import {
  BUILT_IN_API_ID,
  builtInGrantChange,
  builtInGrantRows,
  GRANT_SELECT,
  splitGrants,
} from "../apis/built-in-api.ts";
import { assertMayGrant, permissionRows, qualifiedName, type GrantablePermission } from "../apis/holdings.ts";
import type { RoleFields } from "./role-schemas.ts";

const BUILT_IN_NAMES = new Set(Object.values(BUILT_IN_ROLES).map((role) => role.name.toLowerCase()));

async function assertNameFree(tx: Tx, name: string, exceptId?: string): Promise<void> {
  if (BUILT_IN_NAMES.has(name.toLowerCase())) throw nameTaken();
  // lower() = lower(), not Prisma's case-insensitive `equals`: that is an ILIKE, and a name ending
  // in a backslash is an invalid LIKE pattern there (found by the server-action fuzzing).
  const clash = await tx.$queryRaw<{ id: string }[]>`
    SELECT id FROM "Role" WHERE lower(name) = lower(${name}) AND id <> ${exceptId ?? ""} LIMIT 1`;
  if (clash.length > 0) throw nameTaken();
}

/** The role's grants of other APIs' permissions, by id. */
async function otherApiGrants(roleId: string): Promise<string[]> {
  const rows = await db.rolePermission.findMany({
    where: { roleId, permission: { apiId: { not: BUILT_IN_API_ID } } },
    select: { permissionId: true },
  });
  return rows.map((row) => row.permissionId).sort();
}

/**
 * Checks a change to a role's other-API grants by the granting rule (lib/apis/holdings.ts) and
 * refuses Keyward's own ids there: those are `permissions`, one field for one thing.
 */
async function assertApiGrantChange(
  actor: Principal,
  change: { added: readonly string[]; touched: readonly string[] },
  refusal?: (missing: string) => string,
): Promise<GrantablePermission[]> {
  const rows = await assertMayGrant(actor, change, refusal);
  if (rows.some((row) => row.apiId === BUILT_IN_API_ID)) {
    throw Invalid("Keyward's own permissions are chosen in `permissions`, not `apiPermissionIds`.", [
      { path: "apiPermissionIds", message: "Keyward's own permissions are chosen above, not here." },
    ]);
  }
  return rows;
}

const apiNames = (rows: readonly GrantablePermission[], ids: readonly string[]) => {
  const byId = new Map(rows.map((row) => [row.id, qualifiedName(row)]));
  return ids.map((id) => byId.get(id) ?? id).sort();
};

const nameTaken = () =>
  Invalid("A role with this name already exists.", [
    { path: "name", message: "A role with this name already exists." },
  ]);

export async function createRole(
  input: RoleFields & { actor: Principal; context: RequestContext },
): Promise<{ id: string }> {
  authorize(input.actor, "roles.write");
  await assertRecentAuth(input.actor);
  assertCanGrant(input.actor, input.permissions);
  const apiPermissionIds = input.apiPermissionIds ?? [];
  const apiRows = await assertApiGrantChange(input.actor, {
    added: apiPermissionIds,
    touched: apiPermissionIds,
  });
  return db.$transaction(async (tx) => {
    await assertNameFree(tx, input.name);
    const id = newId("rol");
    await tx.role.create({
      data: {
        id,
        name: input.name,
        description: input.description,
        requiresMfa: input.requiresMfa,
        grants: {
          create: [
            ...builtInGrantRows(input.permissions),
            ...apiPermissionIds.map((permissionId) => ({ permissionId })),
          ],
        },
      },
    });
    await recordAudit(tx, {
      action: "role.created",
      actor: auditActor(input.actor),
      target: { kind: "role", id, display: input.name },
      context: input.context,
      details: {
        after: {
          name: input.name,
          description: input.description,
          permissions: input.permissions,
          apiPermissions: apiNames(apiRows, apiPermissionIds),
          requiresMfa: input.requiresMfa,
        },
      },
    });
    return { id };
  });
}

/**
 * Edits a role. Built-in roles keep their name and Keyward permissions (only "requires MFA" and
 * other APIs' permissions change; the Administrator's other APIs are all of them, fixed).
 * Whatever the edit touches (name, description, the MFA flag or permissions), the actor must hold
 * every permission the role grants, before and after: otherwise a roles.write holder could untick
 * "requires MFA" on Administrator, or rename a powerful role into a harmless-looking one for someone
 * else to assign. Holders feel the change on their next request.
 *
 * Other APIs' permissions (`apiPermissionIds`) follow holdings.ts: only those the edit adds or
 * removes are checked, deprecated ones kept are left alone, and absent leaves them unchanged.
 */
export async function updateRole(
  input: RoleFields & { roleId: string; actor: Principal; context: RequestContext },
): Promise<void> {
  authorize(input.actor, "roles.write");
  await assertRecentAuth(input.actor);
  // Other APIs' grants: only what the edit adds or removes is checked (holdings.ts); absent = unchanged.
  // Checked before the transaction: holdings.ts reads through the pool, which embedded mode
  // limits to the one connection a transaction would be holding.
  const existing = await db.role.findUnique({ where: { id: input.roleId }, select: { builtInKey: true } });
  if (!existing) throw NotFound("role");
  const currentApi = await otherApiGrants(input.roleId);
  const nextApi = input.apiPermissionIds ?? currentApi;
  const [had, has] = [new Set(currentApi), new Set(nextApi)];
  const added = nextApi.filter((id) => !had.has(id));
  const removed = currentApi.filter((id) => !has.has(id));
  // Built-in roles keep Keyward's own permissions (code) but may grant other APIs' (data: a Developer
  // role that may call the Orders API is the common case); the Administrator holds them all already.
  if (existing.builtInKey === "admin" && added.length + removed.length > 0) {
    throw Conflict("The Administrator role holds every permission of every API already.");
  }
  const apiRows = await assertApiGrantChange(input.actor, { added, touched: [...added, ...removed] });
  const known = [...apiRows, ...(await permissionRows(currentApi))];
  await db.$transaction(async (tx) => {
    const role = await tx.role.findUnique({ where: { id: input.roleId }, include: { grants: GRANT_SELECT } });
    if (!role) throw NotFound("role");
    const before = {
      name: role.name,
      description: role.description,
      permissions: splitGrants(role.grants).permissions,
      requiresMfa: role.requiresMfa,
    };
    assertCanGrant(input.actor, before.permissions, roleRefusal);
    assertCanGrant(input.actor, input.permissions);
    const after = role.builtInKey
      ? { ...before, requiresMfa: input.requiresMfa }
      : {
          name: input.name,
          description: input.description,
          permissions: input.permissions,
          requiresMfa: input.requiresMfa,
        };
    if (
      role.builtInKey &&
      (input.name !== role.name || input.permissions.join() !== before.permissions.join())
    ) {
      throw Conflict("Built-in roles keep their name and permissions; only “requires MFA” can change.");
    }
    if (!role.builtInKey) await assertNameFree(tx, after.name, role.id);
    const { permissions, ...fields } = after;
    await tx.role.update({ where: { id: role.id }, data: fields });
    const change = builtInGrantChange(permissions);
    await tx.rolePermission.deleteMany({ where: { roleId: role.id, ...change.remove } });
    await tx.rolePermission.deleteMany({ where: { roleId: role.id, permissionId: { in: removed } } });
    await tx.rolePermission.createMany({
      data: [...change.add, ...added].map((permissionId) => ({ roleId: role.id, permissionId })),
      skipDuplicates: true,
    });
    // Every holder's tokens and clients follow the role's permissions on their next request.
    await credentialsChanged(tx, ["*"]);
    await recordAudit(tx, {
      action: "role.updated",
      actor: auditActor(input.actor),
      target: { kind: "role", id: role.id, display: after.name },
      context: input.context,
      details: {
        before: { ...before, apiPermissions: apiNames(known, currentApi) },
        after: { ...after, apiPermissions: apiNames(known, nextApi) },
      },
    });
  });
}

/** Deletes a custom role; while it is held, only with explicit confirmation to take it from its holders. */
export async function deleteRole(input: {
  roleId: string;
  removeFromHolders: boolean;
  actor: Principal;
  context: RequestContext;
}): Promise<void> {
  authorize(input.actor, "roles.write");
  await assertRecentAuth(input.actor);
  // Before the transaction, as in updateRole: holdings.ts reads through the pool.
  const apiGrants = await otherApiGrants(input.roleId);
  const apiRows = await assertMayGrant(input.actor, { added: [], touched: apiGrants }, roleRefusal);
  await db.$transaction(async (tx) => {
    const role = await tx.role.findUnique({
      where: { id: input.roleId },
      include: { _count: { select: { assignments: true } }, grants: GRANT_SELECT },
    });
    if (!role) throw NotFound("role");
    if (role.builtInKey) throw Conflict("Built-in roles cannot be deleted.");
    const { permissions, unresolved } = splitGrants(role.grants);
    // Taking a role away from its holders is removing its permissions from them: the actor must hold them.
    assertCanGrant(input.actor, permissions, roleRefusal);
    const holders = role._count.assignments;
    if (holders > 0 && !input.removeFromHolders) {
      throw Conflict(
        `${role.name} is assigned to ${holders} user${holders === 1 ? "" : "s"}. Confirm to remove it from them and delete it.`,
      );
    }
    await tx.role.delete({ where: { id: role.id } });
    await credentialsChanged(tx, ["*"]);
    await recordAudit(tx, {
      action: "role.deleted",
      actor: auditActor(input.actor),
      target: { kind: "role", id: role.id, display: role.name },
      context: input.context,
      details: {
        before: {
          name: role.name,
          permissions: [...permissions, ...unresolved],
          apiPermissions: apiNames(apiRows, apiGrants),
          requiresMfa: role.requiresMfa,
        },
        removedFromHolders: holders,
      },
    });
  });
}
