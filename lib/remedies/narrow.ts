import { BUILT_IN_API_ID } from "../apis/built-in-api.ts";
import { qualifiedName } from "../apis/holdings.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { manageableClient } from "../clients/manage-clients.ts";
import { flushPermissionUse } from "../credentials/permission-use.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { isPermission } from "../policy/permissions.ts";
import { manageableToken } from "../tokens/token-access.ts";
import { assertMayManageApiScopes } from "../clients/manage-clients.ts";
import { noticeCredentialChange } from "./credential-notices.ts";
import { credentialUseWindow, riskWindow } from "../overview/risk-params.ts";
import { type CredentialKind, usedPermissions } from "./used-permissions.ts";

/**
 * "Narrow to what it used" (issue 17): a personal token or API client keeps only the permissions,
 * of any API, it used in the idle window (lib/remedies/used-permissions.ts) and loses the rest. The
 * same secret keeps working for the kept ones and is refused the others on the very next request,
 * here and on every instance (the change feed, as for any scope change).
 *
 * Who may, and why so:
 * - It changes what a credential may do, so a signed-in person needs a recent sign-in (step-up,
 *   `assertRecentAuth`), as for editing a client's scopes.
 * - A bearer credential may narrow as it may revoke: a token itself, and with tokens.write any
 *   token; a client's scopes only under the rules of `updateClient`. DESIGN.md's "no laundering"
 *   is about creating credentials, secrets and links; narrowing creates nothing and only takes
 *   away (less than revoking, which the same callers may already do), so ADR 0010's rule for
 *   bearers (their scope is their authorization for changes that create nothing secret) holds.
 */
export type NarrowResult = {
  /** The permissions it keeps and those it lost, as people read them ("users.read", "Orders API: orders.write"). */
  kept: string[];
  removed: string[];
  /** The first instant of the window its use was judged over. */
  since: Date;
  /** False when it already held only what it used: nothing changed, nothing was recorded. */
  changed: boolean;
};

type HeldGrant = { permissionId: string; permission: { apiId: string; name: string; api: { name: string } } };

const HELD_SELECT = {
  permissionId: true,
  permission: { select: { apiId: true, name: true, api: { select: { name: true } } } },
} as const;

/** How a permission is named to people: Keyward's by name, another API's with the API's name. */
function displayName(grant: HeldGrant): string {
  const { permission } = grant;
  return permission.apiId === BUILT_IN_API_ID
    ? permission.name
    : qualifiedName({ apiName: permission.api.name, name: permission.name });
}

const names = (grants: readonly HeldGrant[]) => grants.map(displayName).sort();

/**
 * What to keep and what to delete. A stored Keyward permission this version does not know (a
 * newer or older version's key) authorizes nothing here, so it is never used: it is not this
 * version's to erase (lib/apis/built-in-api.ts) and stays.
 */
async function plan(
  tx: Tx,
  kind: CredentialKind,
  id: string,
  held: readonly HeldGrant[],
  window: { since: Date; whole: boolean; idleDays: number },
) {
  const what = kind === "token" ? "token" : "client";
  if (!window.whole) {
    throw Conflict(
      `This ${what}'s use has been recorded since ${window.since.toISOString().slice(0, 10)}, less than the idle period of ${window.idleDays} days: too soon to tell which permissions it does not need.`,
    );
  }
  const used = new Set((await usedPermissions(kind, id, window.since, tx)).map((row) => row.permissionId));
  const kept = held.filter((grant) => used.has(grant.permissionId));
  if (kept.length === 0) {
    throw Conflict(
      `This ${what} used none of its permissions in the last ${window.idleDays} days: ${kind === "token" ? "revoke" : "disable"} it instead.`,
    );
  }
  const unresolved = (grant: HeldGrant) =>
    grant.permission.apiId === BUILT_IN_API_ID && !isPermission(grant.permission.name);
  const removed = held.filter((grant) => !used.has(grant.permissionId) && !unresolved(grant));
  const remaining = held.filter((grant) => !removed.includes(grant));
  return { kept, removed, remaining };
}

/**
 * The change itself, the same for a token and a client: the grants it did not use deleted, the
 * change feed told (the next request is refused them, on every instance), one audit event with
 * before and after. Nothing is written when it already held only what it used.
 */
async function narrowInTx(
  tx: Tx,
  args: {
    kind: CredentialKind;
    credential: { id: string; name: string };
    owner: { id: string; email: string } | null;
    held: readonly HeldGrant[];
    window: { since: Date; whole: boolean; idleDays: number };
    remove: (permissionIds: string[]) => Promise<unknown>;
    input: { actor: Principal; context: RequestContext };
  },
): Promise<NarrowResult> {
  const { kind, credential, held, window } = args;
  const { kept, removed, remaining } = await plan(tx, kind, credential.id, held, window);
  const outcome = {
    kept: names(kept),
    removed: names(removed),
    since: window.since,
    changed: removed.length > 0,
  };
  if (!outcome.changed) return outcome;
  await args.remove(removed.map((grant) => grant.permissionId));
  await credentialsChanged(tx, [`${kind}:${credential.id}`]);
  await recordAudit(tx, {
    action: kind === "token" ? "token.narrowed" : "client.narrowed",
    actor: auditActor(args.input.actor),
    target: { kind, id: credential.id, display: credential.name },
    context: args.input.context,
    details: {
      before: { permissions: names(held) },
      after: { permissions: names(remaining) },
      removed: outcome.removed,
      usedSince: window.since.toISOString(),
      owner: args.owner,
    },
  });
  return outcome;
}

/** Narrows a personal token to the permissions it used in the idle window. */
export async function narrowToken(input: {
  actor: Principal;
  tokenId: string;
  context: RequestContext;
}): Promise<NarrowResult> {
  await assertRecentAuth(input.actor);
  // This instance's uses of the last minute are still in memory: count them before judging.
  await flushPermissionUse();
  const judged = await riskWindow();
  const result = await db.$transaction(async (tx) => {
    const token = await manageableToken(tx, input.actor, input.tokenId);
    const now = new Date();
    if (token.revokedAt) throw Conflict("This token is revoked: there is nothing to narrow.");
    if (token.expiresAt && token.expiresAt <= now)
      throw Conflict("This token has expired: there is nothing to narrow.");
    const window = credentialUseWindow(token.createdAt, judged);
    const held = await tx.apiTokenPermission.findMany({ where: { tokenId: token.id }, select: HELD_SELECT });
    const outcome = await narrowInTx(tx, {
      kind: "token",
      credential: token,
      owner: { id: token.user.id, email: token.user.email },
      held,
      window,
      remove: (ids) =>
        tx.apiTokenPermission.deleteMany({ where: { tokenId: token.id, permissionId: { in: ids } } }),
      input,
    });
    return { outcome, token };
  });
  const { outcome, token } = result;
  if (outcome.changed) {
    noticeCredentialChange({
      credential: { kind: "token", id: token.id, name: token.name },
      ownerId: token.userId,
      actor: input.actor,
      change: { change: "narrowed", kept: outcome.kept, removed: outcome.removed },
      context: input.context,
    });
  }
  return outcome;
}

/**
 * Narrows an API client to the permissions it used in the idle window, under what `updateClient`
 * requires: step-up, clients.write, every Keyward scope it holds (manageableClient), and the right
 * to allow each of its other APIs' permissions (removing one counts as touching it).
 */
export async function narrowClient(input: {
  actor: Principal;
  clientId: string;
  context: RequestContext;
}): Promise<NarrowResult> {
  await assertRecentAuth(input.actor);
  // This instance's uses of the last minute are still in memory: count them before judging.
  await flushPermissionUse();
  authorize(input.actor, "clients.write");
  const judged = await riskWindow();
  const current = await assertMayManageApiScopes(input.actor, input.clientId);
  const result = await db.$transaction(async (tx) => {
    const client = await manageableClient(tx, input.actor, input.clientId);
    const held = await tx.apiClientPermission.findMany({
      where: { clientId: client.id },
      select: HELD_SELECT,
    });
    const others = held
      .filter((grant) => grant.permission.apiId !== BUILT_IN_API_ID)
      .map((grant) => grant.permissionId)
      .sort();
    if (JSON.stringify(others) !== JSON.stringify(current)) {
      throw Conflict("Someone changed this client's permissions meanwhile: reload and try again.");
    }
    const window = credentialUseWindow(client.createdAt, judged);
    const outcome = await narrowInTx(tx, {
      kind: "client",
      credential: client,
      owner: client.owner ? { id: client.owner.id, email: client.owner.email } : null,
      held,
      window,
      remove: (ids) =>
        tx.apiClientPermission.deleteMany({ where: { clientId: client.id, permissionId: { in: ids } } }),
      input,
    });
    return { outcome, client };
  });
  const { outcome, client } = result;
  if (outcome.changed) {
    noticeCredentialChange({
      credential: { kind: "client", id: client.id, name: client.name },
      ownerId: client.ownerId,
      actor: input.actor,
      change: { change: "narrowed", kept: outcome.kept, removed: outcome.removed },
      context: input.context,
    });
  }
  return outcome;
}
