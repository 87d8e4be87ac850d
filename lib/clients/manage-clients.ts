import type { AuditActor } from "../audit/actions.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertFreshSession, assertRecentAuth } from "../auth/step-up.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { loadOwner, type Owner } from "../credentials/owner.ts";
import { newId } from "../crypto/ids.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors/app-error.ts";
import { assertCanGrant } from "../policy/grants.ts";
import {
  BUILT_IN_API_ID,
  BUILT_IN_PERMISSION_PREFIX,
  builtInGrantChange,
  builtInGrantRows,
  GRANT_SELECT,
  splitGrants,
} from "../apis/built-in-api.ts";
import { assertMayGrant, heldAmong, permissionRows, qualifiedName, ungrantable } from "../apis/holdings.ts";
import { isPermission, toPermissions, type Permission } from "../policy/permissions.ts";
import { authorize, missingPermissions } from "../policy/authorize.ts";
import { newStoredSecret } from "../tokens/token-secrets.ts";
import { retireSecrets } from "../credentials/secret-rotation.ts";
import { credentialNotice, noticeCredentialChange } from "../remedies/credential-notices.ts";
import type { CreateClientInput, UpdateClientInput } from "./client-schemas.ts";

/** The client's scopes the actor lacks: any at all, and the actor may not manage the client. */
export function scopesBeyond(actor: Principal, scopes: readonly string[]): Permission[] {
  return missingPermissions(actor, toPermissions(scopes));
}

type ClientInput = { actor: Principal; clientId: string; context: RequestContext };

/**
 * A client the actor may manage: clients.write, and every scope the client holds. Otherwise a
 * developer with fewer permissions could rotate an administrator's client secret and act with its
 * scopes (the same rule as managing users, lib/users/admin-guard.ts).
 */
export async function manageableClient(tx: Tx, actor: Principal, clientId: string) {
  authorize(actor, "clients.write");
  const client = await tx.apiClient.findUnique({
    where: { id: clientId },
    include: { owner: { select: { id: true, email: true } }, allowedScopes: GRANT_SELECT },
  });
  if (!client) throw NotFound("client");
  const scopes = splitGrants(client.allowedScopes).permissions;
  const missing = scopesBeyond(actor, scopes);
  if (missing.length > 0) {
    throw Forbidden(`This client holds scopes you do not (${missing.join(", ")}), so you cannot manage it.`);
  }
  return { ...client, scopes };
}

/**
 * Whoever owns a client must be able to manage it: active, with clients.write and every scope it
 * holds (the rule of manageableClient, applied to the owner). Checked for every new owner: the
 * creator, the CLI's --owner, a proposed owner and the one who accepts.
 */
export function assertMayOwn(owner: Owner, scopes: readonly string[]): void {
  if (!owner.active) throw Conflict(`${owner.email} is not active and cannot own a client.`);
  const missing = ["clients.write" as const, ...toPermissions(scopes)].filter(
    (scope) => !owner.permissions.includes(scope),
  );
  if (missing.length > 0) {
    throw Forbidden(
      `${owner.email} lacks ${[...new Set(missing)].join(", ")}: the owner of a client must hold clients.write and every scope it holds.`,
    );
  }
}

const allowRefusal = (missing: string) =>
  `You cannot allow a client permissions you do not hold (and whose API you do not own): ${missing}.`;

const atLeastOne = () =>
  Invalid("Choose at least one scope.", [{ path: "scopes", message: "Choose at least one scope." }]);

/** A client's allowed permissions split by API: Keyward's by name, every other API's by row id. */
type AllowedSplit = { scopes: Permission[]; apiPermissionIds: string[] };

/**
 * Ids of Keyward's own permissions among `apiPermissionIds` join `scopes` (one model for every API:
 * a picker may send them as rows); the rest stay ids of other APIs' permissions.
 */
async function splitAllowed(scopes: readonly Permission[], ids: readonly string[]): Promise<AllowedSplit> {
  const builtIn = ids.filter((id) => id.startsWith(BUILT_IN_PERMISSION_PREFIX));
  const rows = await permissionRows(builtIn);
  const names = rows.flatMap((row) =>
    row.apiId === BUILT_IN_API_ID && isPermission(row.name) ? [row.name] : [],
  );
  const builtInIds = new Set(rows.filter((row) => row.apiId === BUILT_IN_API_ID).map((row) => row.id));
  return {
    scopes: [...new Set([...scopes, ...names])].sort(),
    apiPermissionIds: [...new Set(ids.filter((id) => !builtInIds.has(id)))].sort(),
  };
}

/** The ids of a client's allowed permissions of APIs other than Keyward's own (read on the pool). */
export async function otherApiPermissionIds(clientId: string): Promise<string[]> {
  const rows = await db.apiClientPermission.findMany({
    where: { clientId, permission: { apiId: { not: BUILT_IN_API_ID } } },
    select: { permissionId: true },
  });
  return rows.map((row) => row.permissionId).sort();
}

/**
 * Managing a client (editing, rotating its secret, disabling, deleting) needs the right to allow
 * every permission of another API it is allowed (roles, Administrator, or owning that API), as for
 * Keyward's own scopes (manageableClient). Read before the change's transaction: the holdings are
 * read on the pool.
 */
export async function assertMayManageApiScopes(actor: Principal, clientId: string): Promise<string[]> {
  const current = await otherApiPermissionIds(clientId);
  if (current.length === 0) return current;
  const { missing } = await ungrantable(actor, current);
  if (missing.length > 0) {
    throw Forbidden(
      `This client is allowed permissions you could not allow (${missing.map(qualifiedName).join(", ")}), so you cannot manage it.`,
    );
  }
  return current;
}

/**
 * The CLI registers a client for an owner without a session: the owner must be able to allow each
 * permission of another API (roles, Administrator, or owning the API), none deprecated.
 */
async function assertOwnerMayAllow(ownerId: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const rows = await permissionRows(ids);
  if (rows.length < new Set(ids).size) {
    throw Invalid(
      "A chosen permission does not exist (it may have just been removed): reload and choose again.",
    );
  }
  const held = await heldAmong(ownerId, ids);
  const missing = rows.filter((row) => !held.has(row.id) && row.apiOwnerId !== ownerId);
  if (missing.length > 0) throw Forbidden(allowRefusal(missing.map(qualifiedName).join(", ")));
  const deprecated = rows.filter((row) => row.deprecated);
  if (deprecated.length > 0) {
    throw Invalid(`Deprecated permissions take no new grants: ${deprecated.map(qualifiedName).join(", ")}.`);
  }
}

type NewClient = CreateClientInput &
  AllowedSplit & { ownerId: string; auditActor: AuditActor; context: RequestContext };

/**
 * Registers a client for a signed-in person under step-up, who becomes its owner. A bearer
 * credential never registers one (its secret would outlive the credential's revocation).
 */
export async function createClient(
  input: CreateClientInput & { actor: Principal; context: RequestContext },
): Promise<{ clientId: string; clientSecret: string }> {
  authorize(input.actor, "clients.write");
  const actor = await assertFreshSession(input.actor);
  const allowed = await splitAllowed(input.scopes, input.apiPermissionIds ?? []);
  if (allowed.scopes.length + allowed.apiPermissionIds.length === 0) throw atLeastOne();
  assertCanGrant(actor, allowed.scopes);
  await assertMayGrant(
    actor,
    { added: allowed.apiPermissionIds, touched: allowed.apiPermissionIds },
    allowRefusal,
  );
  return db.$transaction((tx) =>
    insertClient(tx, { ...input, ...allowed, ownerId: actor.userId, auditActor: auditActor(actor) }),
  );
}

/** The operator CLI's way in (`npm run admin -- create-client`): the same rules, checked against the owner. */
export async function createClientForUser(
  input: CreateClientInput & { ownerId: string; actor: AuditActor; context: RequestContext },
): Promise<{ clientId: string; clientSecret: string }> {
  const allowed = await splitAllowed(input.scopes, input.apiPermissionIds ?? []);
  if (allowed.scopes.length + allowed.apiPermissionIds.length === 0) throw atLeastOne();
  await assertOwnerMayAllow(input.ownerId, allowed.apiPermissionIds);
  return db.$transaction((tx) => insertClient(tx, { ...input, ...allowed, auditActor: input.actor }));
}

async function insertClient(tx: Tx, input: NewClient): Promise<{ clientId: string; clientSecret: string }> {
  const owner = await loadOwner(tx, input.ownerId);
  if (!owner) throw NotFound("user");
  assertMayOwn(owner, input.scopes);
  const id = newId("cli");
  const secret = newStoredSecret("clientSecret");
  await tx.apiClient.create({
    data: {
      id,
      clientId: id,
      name: input.name,
      description: input.description,
      requireDpop: input.requireDpop ?? false,
      ownerId: owner.id,
      allowedScopes: {
        create: [
          ...builtInGrantRows(input.scopes),
          ...input.apiPermissionIds.map((permissionId) => ({ permissionId })),
        ],
      },
      secrets: { create: secret.row },
    },
  });
  await recordAudit(tx, {
    action: "client.created",
    actor: input.auditActor,
    target: { kind: "client", id, display: input.name },
    context: input.context,
    details: {
      after: {
        name: input.name,
        description: input.description,
        scopes: input.scopes,
        requireDpop: input.requireDpop ?? false,
        ...(input.apiPermissionIds.length > 0 ? { apiPermissionIds: input.apiPermissionIds } : {}),
      },
      owner: { id: owner.id, email: owner.email },
      fragment: secret.row.fragment,
    },
  });
  return { clientId: id, clientSecret: secret.value };
}

/**
 * Name, description and allowed scopes: added scopes must be the actor's own (Keyward's), or ones
 * they may allow (other APIs': roles, Administrator, or owning the API); removing counts too.
 * `apiPermissionIds` left out keeps the client's permissions of other APIs.
 */
export async function updateClient(
  input: UpdateClientInput & { actor: Principal; context: RequestContext },
): Promise<void> {
  await assertRecentAuth(input.actor);
  authorize(input.actor, "clients.write");
  const current = await assertMayManageApiScopes(input.actor, input.clientId);
  const allowed = await splitAllowed(input.scopes, input.apiPermissionIds ?? current);
  if (allowed.scopes.length + allowed.apiPermissionIds.length === 0) throw atLeastOne();
  const next = new Set(allowed.apiPermissionIds);
  const added = allowed.apiPermissionIds.filter((id) => !current.includes(id));
  const removed = current.filter((id) => !next.has(id));
  await assertMayGrant(input.actor, { added, touched: [...added, ...removed] }, allowRefusal);
  await db.$transaction(async (tx) => {
    const client = await manageableClient(tx, input.actor, input.clientId);
    assertCanGrant(input.actor, allowed.scopes);
    const stored = await tx.apiClientPermission.findMany({
      where: { clientId: client.id, permission: { apiId: { not: BUILT_IN_API_ID } } },
      select: { permissionId: true },
    });
    if (JSON.stringify(stored.map((row) => row.permissionId).sort()) !== JSON.stringify(current)) {
      throw Conflict("Someone changed this client's permissions meanwhile: reload and try again.");
    }
    const before = {
      name: client.name,
      description: client.description,
      scopes: client.scopes,
      apiPermissionIds: current,
      requireDpop: client.requireDpop,
    };
    const after = {
      name: input.name,
      description: input.description,
      scopes: allowed.scopes,
      apiPermissionIds: allowed.apiPermissionIds,
      requireDpop: input.requireDpop ?? client.requireDpop,
    };
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    await tx.apiClient.update({
      where: { id: client.id },
      data: { name: input.name, description: input.description, requireDpop: after.requireDpop },
    });
    const change = builtInGrantChange(allowed.scopes);
    await tx.apiClientPermission.deleteMany({ where: { clientId: client.id, ...change.remove } });
    if (removed.length > 0) {
      await tx.apiClientPermission.deleteMany({
        where: { clientId: client.id, permissionId: { in: removed } },
      });
    }
    await tx.apiClientPermission.createMany({
      data: [...change.add, ...added].map((permissionId) => ({ clientId: client.id, permissionId })),
      skipDuplicates: true,
    });
    await credentialsChanged(tx, [`client:${client.id}`]);
    await recordAudit(tx, {
      action: "client.updated",
      actor: auditActor(input.actor),
      target: { kind: "client", id: client.id, display: input.name },
      context: input.context,
      details: { before, after },
    });
  });
}

/** A new secret, shown once, to a signed-in person under step-up who may manage the client. */
export async function rotateClientSecret(
  input: ClientInput & { overlapMinutes: number },
): Promise<{ clientSecret: string; oldSecretExpiresAt: Date | null }> {
  const actor = await assertFreshSession(input.actor);
  authorize(actor, "clients.write");
  await assertMayManageApiScopes(actor, input.clientId);
  return db.$transaction(async (tx) => {
    const client = await manageableClient(tx, actor, input.clientId);
    return replaceSecret(tx, {
      client,
      overlapMinutes: input.overlapMinutes,
      actor: auditActor(actor),
      context: input.context,
    });
  });
}

/**
 * The operator CLI's rotation (`npm run admin -- rotate-client-secret`): audited as the operator,
 * and only while the owner could manage the client themselves (the same rule, checked against them).
 */
export async function rotateClientSecretForOwner(input: {
  clientId: string;
  overlapMinutes: number;
  actor: AuditActor;
  context: RequestContext;
}): Promise<{ clientSecret: string; oldSecretExpiresAt: Date | null; ownerEmail: string }> {
  return db.$transaction(async (tx) => {
    const client = await tx.apiClient.findUnique({
      where: { id: input.clientId },
      include: { allowedScopes: GRANT_SELECT },
    });
    if (!client) throw NotFound("client");
    const owner = client.ownerId ? await loadOwner(tx, client.ownerId) : null;
    if (!owner) throw Conflict("This client has no owner: reassign it first.");
    assertMayOwn(owner, splitGrants(client.allowedScopes).permissions);
    const rotated = await replaceSecret(tx, { client, ...input });
    return { ...rotated, ownerEmail: owner.email };
  });
}

/** Retires the current secrets (at once or after the overlap) and adds a new one, in `tx`, audited. */
export async function replaceSecret(
  tx: Tx,
  input: {
    client: { id: string; name: string };
    overlapMinutes: number;
    actor: AuditActor;
    context: RequestContext;
    action?: "client.secret_rotated" | "client.reassignment_accepted";
    details?: Record<string, unknown>;
  },
): Promise<{ clientSecret: string; oldSecretExpiresAt: Date | null }> {
  const { client } = input;
  const now = new Date();
  const overlapEnds = await retireSecrets(
    tx.apiClientSecret,
    { clientId: client.id },
    input.overlapMinutes,
    now,
  );
  const secret = newStoredSecret("clientSecret");
  await tx.apiClientSecret.create({ data: { ...secret.row, clientId: client.id, createdAt: now } });
  await credentialsChanged(tx, [`client:${client.id}`]);
  await recordAudit(tx, {
    action: input.action ?? "client.secret_rotated",
    actor: input.actor,
    target: { kind: "client", id: client.id, display: client.name },
    context: input.context,
    details: {
      ...input.details,
      overlapMinutes: input.overlapMinutes,
      oldSecretExpiresAt: overlapEnds?.toISOString() ?? now.toISOString(),
      fragment: secret.row.fragment,
    },
  });
  return { clientSecret: secret.value, oldSecretExpiresAt: overlapEnds };
}

/** Disabling stops new tokens and every token already issued to the client, on the next request. */
export async function setClientEnabled(input: ClientInput & { enabled: boolean }): Promise<void> {
  if (!input.enabled) await assertRecentAuth(input.actor);
  authorize(input.actor, "clients.write");
  await assertMayManageApiScopes(input.actor, input.clientId);
  const changed = await db.$transaction(async (tx) => {
    const client = await manageableClient(tx, input.actor, input.clientId);
    if (Boolean(client.disabledAt) === !input.enabled) return null;
    await tx.apiClient.update({
      where: { id: client.id },
      data: { disabledAt: input.enabled ? null : new Date() },
    });
    await credentialsChanged(tx, [`client:${client.id}`]);
    await recordAudit(tx, {
      action: input.enabled ? "client.enabled" : "client.disabled",
      actor: auditActor(input.actor),
      target: { kind: "client", id: client.id, display: client.name },
      context: input.context,
    });
    return client;
  });
  if (changed && !input.enabled) {
    noticeCredentialChange({
      ...credentialNotice("client", changed, changed.ownerId, input),
      change: { change: "disabled" },
    });
  }
}

export async function deleteClient(input: ClientInput): Promise<void> {
  await assertRecentAuth(input.actor);
  authorize(input.actor, "clients.write");
  await assertMayManageApiScopes(input.actor, input.clientId);
  const deleted = await db.$transaction(async (tx) => {
    const client = await manageableClient(tx, input.actor, input.clientId);
    await tx.apiClient.delete({ where: { id: client.id } });
    await credentialsChanged(tx, [`client:${client.id}`]);
    await recordAudit(tx, {
      action: "client.deleted",
      actor: auditActor(input.actor),
      target: { kind: "client", id: client.id, display: client.name },
      context: input.context,
      details: {
        before: { name: client.name, scopes: client.scopes, owner: client.owner?.email ?? null },
      },
    });
    return client;
  });
  noticeCredentialChange({
    ...credentialNotice("client", deleted, deleted.ownerId, input),
    change: { change: "deleted" },
  });
}
