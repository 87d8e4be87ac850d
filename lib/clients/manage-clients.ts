import type { AuditActor } from "../audit/actions.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertFreshSession, assertRecentAuth } from "../auth/step-up.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { loadOwner, type Owner } from "../credentials/owner.ts";
import { newId } from "../crypto/ids.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, Forbidden, NotFound } from "../errors/app-error.ts";
import { assertCanGrant } from "../policy/grants.ts";
import { builtInGrantChange, builtInGrantRows, GRANT_SELECT, splitGrants } from "../apis/built-in-api.ts";
import { toPermissions, type Permission } from "../policy/permissions.ts";
import { authorize, missingPermissions } from "../policy/authorize.ts";
import { newStoredSecret } from "../tokens/token-secrets.ts";
import { retireSecrets } from "../credentials/secret-rotation.ts";
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

type NewClient = CreateClientInput & { ownerId: string; auditActor: AuditActor; context: RequestContext };

/**
 * Registers a client for a signed-in person under step-up, who becomes its owner. A bearer
 * credential never registers one (its secret would outlive the credential's revocation).
 */
export async function createClient(
  input: CreateClientInput & { actor: Principal; context: RequestContext },
): Promise<{ clientId: string; clientSecret: string }> {
  authorize(input.actor, "clients.write");
  const actor = await assertFreshSession(input.actor);
  assertCanGrant(actor, input.scopes);
  return db.$transaction((tx) =>
    insertClient(tx, { ...input, ownerId: actor.userId, auditActor: auditActor(actor) }),
  );
}

/** The operator CLI's way in (`npm run admin -- create-client`): the same rules, checked against the owner. */
export async function createClientForUser(
  input: CreateClientInput & { ownerId: string; actor: AuditActor; context: RequestContext },
): Promise<{ clientId: string; clientSecret: string }> {
  return db.$transaction((tx) => insertClient(tx, { ...input, auditActor: input.actor }));
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
      ownerId: owner.id,
      allowedScopes: { create: builtInGrantRows(input.scopes) },
      secrets: { create: secret.row },
    },
  });
  await recordAudit(tx, {
    action: "client.created",
    actor: input.auditActor,
    target: { kind: "client", id, display: input.name },
    context: input.context,
    details: {
      after: { name: input.name, description: input.description, scopes: input.scopes },
      owner: { id: owner.id, email: owner.email },
      fragment: secret.row.fragment,
    },
  });
  return { clientId: id, clientSecret: secret.value };
}

/** Name, description and allowed scopes: added scopes must be the actor's own. */
export async function updateClient(
  input: UpdateClientInput & { actor: Principal; context: RequestContext },
): Promise<void> {
  await assertRecentAuth(input.actor);
  await db.$transaction(async (tx) => {
    const client = await manageableClient(tx, input.actor, input.clientId);
    assertCanGrant(input.actor, input.scopes);
    const before = {
      name: client.name,
      description: client.description,
      scopes: client.scopes,
    };
    const after = { name: input.name, description: input.description, scopes: input.scopes };
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    await tx.apiClient.update({
      where: { id: client.id },
      data: { name: input.name, description: input.description },
    });
    const change = builtInGrantChange(input.scopes);
    await tx.apiClientPermission.deleteMany({ where: { clientId: client.id, ...change.remove } });
    await tx.apiClientPermission.createMany({
      data: change.add.map((permissionId) => ({ clientId: client.id, permissionId })),
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
  await db.$transaction(async (tx) => {
    const client = await manageableClient(tx, input.actor, input.clientId);
    if (Boolean(client.disabledAt) === !input.enabled) return;
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
  });
}

export async function deleteClient(input: ClientInput): Promise<void> {
  await assertRecentAuth(input.actor);
  await db.$transaction(async (tx) => {
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
  });
}
