import { BUILT_IN_API_ID, GRANT_SELECT, splitGrants } from "../apis/built-in-api.ts";
import { heldAmong, qualifiedName } from "../apis/holdings.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertFreshSession } from "../auth/step-up.ts";
import { loadOwner } from "../credentials/owner.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, Forbidden, NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { assertCanManageUser } from "../users/admin-guard.ts";
import { assertMayOwn, manageableClient, replaceSecret } from "./manage-clients.ts";

type ClientInput = { actor: Principal; clientId: string; context: RequestContext };

/**
 * Proposes a new accountable owner (e.g. after the owner left). Nothing changes hands yet: the
 * proposed owner accepts it (acceptClientReassignment), and the secret rotates then, so that whoever
 * proposed it — who may know the current secret — keeps no reach through the client. The actor must
 * be able to manage the client (every scope it holds) and the new owner (every permission they
 * hold), and the new owner must be able to own it (clients.write and its scopes).
 */
export async function reassignClient(input: ClientInput & { owner: string }): Promise<void> {
  authorize(input.actor, "clients.write");
  const actor = await assertFreshSession(input.actor);
  await db.$transaction(async (tx) => {
    const client = await manageableClient(tx, actor, input.clientId);
    const found = await tx.user.findUnique({
      where: input.owner.startsWith("usr_") ? { id: input.owner } : { email: input.owner.toLowerCase() },
      select: { id: true },
    });
    const owner = found ? await loadOwner(tx, found.id) : null;
    if (!owner) throw NotFound("user");
    if (client.ownerId === owner.id) {
      if (!client.pendingOwnerId) return;
      throw Conflict(`${owner.email} already owns this client: decline the pending reassignment instead.`);
    }
    if (client.pendingOwnerId === owner.id) return;
    await assertCanManageUser(tx, actor, owner.id);
    assertMayOwn(owner, client.scopes);
    await assertMayOwnApiGrants(tx, owner, client.id);
    const previous = client.pendingOwnerId
      ? await tx.user.findUnique({ where: { id: client.pendingOwnerId }, select: { email: true } })
      : null;
    await tx.apiClient.update({
      where: { id: client.id },
      data: { pendingOwnerId: owner.id, pendingOwnerSince: new Date(), pendingOwnerProposedBy: actor.email },
    });
    await recordAudit(tx, {
      action: "client.reassignment_proposed",
      actor: auditActor(actor),
      target: { kind: "client", id: client.id, display: client.name },
      context: input.context,
      details: {
        owner: client.owner?.email ?? null,
        proposed: { id: owner.id, email: owner.email },
        ...(previous ? { replaces: previous.email } : {}),
      },
    });
  });
}

/**
 * The proposed owner takes the client: it becomes theirs and its secret rotates, the old one
 * working for the overlap they choose (their deployments may need it), the new one shown only to
 * them, once. They must still be able to own it.
 */
export async function acceptClientReassignment(
  input: ClientInput & { overlapMinutes: number },
): Promise<{ clientSecret: string; oldSecretExpiresAt: Date | null }> {
  authorize(input.actor, "clients.write");
  const actor = await assertFreshSession(input.actor);
  return db.$transaction(async (tx) => {
    // Claiming the proposal is the lock: of two concurrent acceptances (or an acceptance racing a
    // new proposal), only one finds it still theirs.
    const claimed = await tx.apiClient.updateMany({
      where: { id: input.clientId, pendingOwnerId: actor.userId },
      data: { pendingOwnerId: null, pendingOwnerSince: null, pendingOwnerProposedBy: null },
    });
    if (claimed.count === 0) throw NotFound("reassignment");
    const client = await tx.apiClient.findUniqueOrThrow({
      where: { id: input.clientId },
      include: { owner: { select: { email: true } }, allowedScopes: GRANT_SELECT },
    });
    const owner = await loadOwner(tx, actor.userId);
    if (!owner) throw NotFound("user");
    assertMayOwn(owner, splitGrants(client.allowedScopes).permissions);
    await assertMayOwnApiGrants(tx, owner, client.id);
    // Tokens issued until now were obtained for the previous owner: refuse them from here on.
    await tx.apiClient.update({
      where: { id: client.id },
      data: { ownerId: owner.id, tokensNotBefore: new Date() },
    });
    // replaceSecret signals credentialsChanged: the tokens the client holds now act for the new
    // owner, and every instance's cache forgets the old one on commit.
    return replaceSecret(tx, {
      client,
      overlapMinutes: input.overlapMinutes,
      actor: auditActor(actor),
      context: input.context,
      action: "client.reassignment_accepted",
      details: { before: { owner: client.owner?.email ?? null }, after: { owner: owner.email } },
    });
  });
}

/**
 * Ends a pending reassignment: the proposed owner declines it, or someone who may manage the client
 * withdraws it. The owner stays as they were.
 */
export async function declineClientReassignment(input: ClientInput): Promise<void> {
  await db.$transaction(async (tx) => {
    const client = await tx.apiClient.findUnique({
      where: { id: input.clientId },
      include: { pendingOwner: { select: { id: true, email: true } } },
    });
    const own = client?.pendingOwnerId != null && client.pendingOwnerId === proposedTo(input.actor);
    if (!client?.pendingOwner) throw NotFound("reassignment");
    if (!own) await manageableClient(tx, input.actor, client.id);
    await tx.apiClient.update({
      where: { id: client.id },
      data: { pendingOwnerId: null, pendingOwnerSince: null, pendingOwnerProposedBy: null },
    });
    await recordAudit(tx, {
      action: "client.reassignment_declined",
      actor: auditActor(input.actor),
      target: { kind: "client", id: client.id, display: client.name },
      context: input.context,
      details: { proposed: client.pendingOwner.email, by: own ? "proposed owner" : "manager" },
    });
  });
}

/**
 * The owner of a client must hold each permission of another API it is allowed (through a role, or
 * Administrator), or own that API: taking over a client is not a way to gain them. Deprecated ones
 * count too — they stay on the client, but nobody takes them over without holding them.
 */
async function assertMayOwnApiGrants(
  tx: Tx,
  owner: { id: string; email: string },
  clientId: string,
): Promise<void> {
  const grants = await tx.apiClientPermission.findMany({
    where: { clientId, permission: { apiId: { not: BUILT_IN_API_ID } } },
    select: {
      permission: { select: { id: true, name: true, api: { select: { name: true, ownerId: true } } } },
    },
  });
  if (grants.length === 0) return;
  const held = await heldAmong(
    owner.id,
    grants.map(({ permission }) => permission.id),
    tx,
  );
  const missing = grants
    .map(({ permission }) => permission)
    .filter((permission) => !held.has(permission.id) && permission.api.ownerId !== owner.id)
    .map((permission) => qualifiedName({ apiName: permission.api.name, name: permission.name }));
  if (missing.length > 0) {
    throw Forbidden(
      `${owner.email} lacks ${missing.sort().join(", ")}: the owner of a client must hold every permission it is allowed.`,
    );
  }
}

/** Only a person answers a proposal made to them, not their tokens or clients. */
function proposedTo(actor: Principal): string | null {
  return actor.kind === "user" ? actor.userId : null;
}

export type OfferedClient = {
  id: string;
  name: string;
  scopes: string[];
  owner: string | null;
  proposedBy: string | null;
  since: Date | null;
};

/** The reassignments waiting for this person: the notice on their API clients page. */
export async function listOfferedClients(actor: Principal): Promise<OfferedClient[]> {
  if (actor.kind !== "user") return [];
  const rows = await db.apiClient.findMany({
    where: { pendingOwnerId: actor.userId },
    orderBy: [{ pendingOwnerSince: "asc" }, { id: "asc" }],
    take: 50,
    include: { owner: { select: { email: true } }, allowedScopes: GRANT_SELECT },
  });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    scopes: splitGrants(row.allowedScopes).permissions,
    owner: row.owner?.email ?? null,
    proposedBy: row.pendingOwnerProposedBy,
    since: row.pendingOwnerSince,
  }));
}
