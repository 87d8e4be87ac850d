import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { accountableUserId, type Principal, type RequestContext } from "../auth/principal.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { newId } from "../crypto/ids.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, Forbidden, NotFound } from "../errors/app-error.ts";
import { assertCanGrant } from "../policy/grants.ts";
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
async function manageableClient(tx: Tx, actor: Principal, clientId: string) {
  authorize(actor, "clients.write");
  const client = await tx.apiClient.findUnique({
    where: { id: clientId },
    include: { owner: { select: { id: true, email: true } } },
  });
  if (!client) throw NotFound("client");
  const missing = scopesBeyond(actor, client.allowedScopes);
  if (missing.length > 0) {
    throw Forbidden(`This client holds scopes you do not (${missing.join(", ")}), so you cannot manage it.`);
  }
  return client;
}

export async function createClient(
  input: CreateClientInput & { actor: Principal; context: RequestContext },
): Promise<{ clientId: string; clientSecret: string }> {
  authorize(input.actor, "clients.write");
  await assertRecentAuth(input.actor);
  assertCanGrant(input.actor, input.scopes);
  const ownerId = accountableUserId(input.actor);
  return db.$transaction(async (tx) => {
    const owner = await tx.user.findUnique({
      where: { id: ownerId },
      select: { id: true, email: true, status: true },
    });
    if (owner?.status !== "active") throw Conflict("The client's owner must be an active user.");
    const id = newId("cli");
    const secret = newStoredSecret("clientSecret");
    await tx.apiClient.create({
      data: {
        id,
        clientId: id,
        name: input.name,
        description: input.description,
        ownerId: owner.id,
        allowedScopes: input.scopes,
        secrets: { create: secret.row },
      },
    });
    await recordAudit(tx, {
      action: "client.created",
      actor: auditActor(input.actor),
      target: { kind: "client", id, display: input.name },
      context: input.context,
      details: {
        after: { name: input.name, description: input.description, scopes: input.scopes },
        owner: { id: owner.id, email: owner.email },
        fragment: secret.row.fragment,
      },
    });
    return { clientId: id, clientSecret: secret.value };
  });
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
      scopes: [...client.allowedScopes].sort(),
    };
    const after = { name: input.name, description: input.description, scopes: input.scopes };
    if (JSON.stringify(before) === JSON.stringify(after)) return;
    await tx.apiClient.update({
      where: { id: client.id },
      data: { name: input.name, description: input.description, allowedScopes: input.scopes },
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

/**
 * Gives a client a new accountable owner (e.g. after its owner left): its tokens work again if the
 * new owner is active, narrowed to what they hold.
 */
export async function reassignClient(input: ClientInput & { owner: string }): Promise<void> {
  await assertRecentAuth(input.actor);
  await db.$transaction(async (tx) => {
    const client = await manageableClient(tx, input.actor, input.clientId);
    const owner = await tx.user.findUnique({
      where: input.owner.startsWith("usr_") ? { id: input.owner } : { email: input.owner },
      select: { id: true, email: true, status: true },
    });
    if (!owner) throw NotFound("user");
    if (owner.status !== "active") throw Conflict(`${owner.email} is not active and cannot own a client.`);
    if (client.ownerId === owner.id) return;
    await tx.apiClient.update({ where: { id: client.id }, data: { ownerId: owner.id } });
    await credentialsChanged(tx, [`client:${client.id}`]);
    await recordAudit(tx, {
      action: "client.updated",
      actor: auditActor(input.actor),
      target: { kind: "client", id: client.id, display: client.name },
      context: input.context,
      details: { before: { owner: client.owner?.email ?? null }, after: { owner: owner.email } },
    });
  });
}

export async function rotateClientSecret(
  input: ClientInput & { overlapMinutes: number },
): Promise<{ clientSecret: string; oldSecretExpiresAt: Date | null }> {
  await assertRecentAuth(input.actor);
  return db.$transaction(async (tx) => {
    const client = await manageableClient(tx, input.actor, input.clientId);
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
      action: "client.secret_rotated",
      actor: auditActor(input.actor),
      target: { kind: "client", id: client.id, display: client.name },
      context: input.context,
      details: {
        overlapMinutes: input.overlapMinutes,
        oldSecretExpiresAt: overlapEnds?.toISOString() ?? now.toISOString(),
        fragment: secret.row.fragment,
      },
    });
    return { clientSecret: secret.value, oldSecretExpiresAt: overlapEnds };
  });
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
        before: { name: client.name, scopes: client.allowedScopes, owner: client.owner?.email ?? null },
      },
    });
  });
}
