import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { newId } from "../crypto/ids.ts";
import { db, type Tx } from "../db/client.ts";
import { AppError, Conflict, NotFound } from "../errors/app-error.ts";
import {
  MAX_PERMISSIONS_PER_API,
  type AddPermissionInput,
  type UpdatePermissionInput,
} from "./api-schemas.ts";
import { editableApi } from "./manage-apis.ts";
import { holdersOf, inUse, isHeld, namedHolders, removeGrants } from "./permission-holders.ts";

/**
 * An API's permission catalog (issue 14): a permission is (API, name), unique within its API.
 * Deprecating one stops new grants and keeps existing ones (flagged); only a deprecated permission
 * is removed, and while roles, tokens or clients hold it only with confirmation, which takes it
 * from them in the same transaction as its audit event.
 */
type Ctx = { actor: Principal; context: RequestContext };

const nameTaken = (name: string) =>
  new AppError("conflict", `This API already has a permission named ${name}.`, {
    fields: [{ path: "name", message: "This API already has a permission with this name." }],
  });

/** The permission `permissionId` of API `apiId`, which the actor may edit. */
async function editablePermission(tx: Tx, actor: Principal, apiId: string, permissionId: string) {
  const api = await editableApi(tx, actor, apiId);
  const permission = await tx.apiPermission.findFirst({ where: { id: permissionId, apiId: api.id } });
  if (!permission) throw NotFound("permission");
  return { api, permission };
}

export async function addPermission(
  options: Ctx & { apiId: string; input: AddPermissionInput },
): Promise<{ id: string }> {
  const { actor, input, context } = options;
  return db
    .$transaction(async (tx) => {
      const api = await editableApi(tx, actor, options.apiId);
      const count = await tx.apiPermission.count({ where: { apiId: api.id } });
      if (count >= MAX_PERMISSIONS_PER_API) {
        throw Conflict(`An API defines at most ${MAX_PERMISSIONS_PER_API} permissions.`);
      }
      const clash = await tx.apiPermission.findFirst({ where: { apiId: api.id, name: input.name } });
      if (clash) throw nameTaken(input.name);
      const id = newId("perm");
      await tx.apiPermission.create({
        data: { id, apiId: api.id, name: input.name, description: input.description },
      });
      await credentialsChanged(tx, ["apis"]);
      await recordAudit(tx, {
        action: "api_permission.added",
        actor: auditActor(actor),
        target: { kind: "api", id: api.id, display: api.name },
        context,
        details: { permission: { id, name: input.name }, after: { description: input.description } },
      });
      return { id };
    })
    .catch((error: unknown) => {
      // A concurrent add of the same name loses at the unique index: 409, not 500.
      if (error instanceof Error && "code" in error && error.code === "P2002") throw nameTaken(input.name);
      throw error;
    });
}

/** A new description, and/or deprecated (no new grants) or not. */
export async function updatePermission(
  options: Ctx & { apiId: string; permissionId: string; input: UpdatePermissionInput },
): Promise<void> {
  const { actor, input, context } = options;
  await db.$transaction(async (tx) => {
    const { api, permission } = await editablePermission(tx, actor, options.apiId, options.permissionId);
    const wasDeprecated = permission.deprecatedAt !== null;
    const before: Record<string, unknown> = {};
    const after: Record<string, unknown> = {};
    if (input.description !== undefined && input.description !== permission.description) {
      before.description = permission.description;
      after.description = input.description;
    }
    if (input.deprecated !== undefined && input.deprecated !== wasDeprecated) {
      before.deprecated = wasDeprecated;
      after.deprecated = input.deprecated;
    }
    if (Object.keys(after).length === 0) return;
    await tx.apiPermission.update({
      where: { id: permission.id },
      data: {
        ...(after.description !== undefined ? { description: input.description } : {}),
        ...(after.deprecated !== undefined ? { deprecatedAt: input.deprecated ? new Date() : null } : {}),
      },
    });
    // Deprecation changes what may be issued with it (the token endpoint narrows deprecated scopes).
    await credentialsChanged(tx, after.deprecated !== undefined ? ["*"] : ["apis"]);
    await recordAudit(tx, {
      action: after.deprecated === true ? "api_permission.deprecated" : "api_permission.updated",
      actor: auditActor(actor),
      target: { kind: "api", id: api.id, display: api.name },
      context,
      details: { permission: { id: permission.id, name: permission.name }, before, after },
    });
  });
}

/**
 * Removes a deprecated permission. Held by roles, tokens or clients: without `confirm`, a 409
 * naming them (also as `holders`); with it, their grants and the permission go in one transaction,
 * whose audit event lists whom it was taken from.
 */
export async function removePermission(
  options: Ctx & { apiId: string; permissionId: string; confirm: boolean },
): Promise<void> {
  const { actor, context } = options;
  await assertRecentAuth(actor);
  await db.$transaction(async (tx) => {
    const { api, permission } = await editablePermission(tx, actor, options.apiId, options.permissionId);
    if (permission.deprecatedAt === null) {
      throw Conflict(
        `Deprecate ${permission.name} before removing it: it then takes no new grants, and its holders are flagged.`,
      );
    }
    const holders = await holdersOf(tx, [permission.id]);
    if (isHeld(holders) && !options.confirm) throw inUse(`${api.name}: ${permission.name}`, holders);
    await removeGrants(tx, [permission.id], holders);
    await tx.apiPermission.delete({ where: { id: permission.id } });
    await credentialsChanged(tx, ["apis"]);
    await recordAudit(tx, {
      action: "api_permission.removed",
      actor: auditActor(actor),
      target: { kind: "api", id: api.id, display: api.name },
      context,
      details: {
        permission: { id: permission.id, name: permission.name },
        before: { description: permission.description, deprecated: true },
        removedFrom: namedHolders(holders),
      },
    });
  });
}

/** Who holds an API's permission now (what removing it would take from them), for a confirmation. */
export async function permissionHolders(options: { actor: Principal; apiId: string; permissionId: string }) {
  return db.$transaction(async (tx) => {
    await editablePermission(tx, options.actor, options.apiId, options.permissionId);
    return namedHolders(await holdersOf(tx, [options.permissionId]));
  });
}
