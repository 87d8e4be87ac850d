import { BUILT_IN_API_ID, builtInGrantRows } from "../apis/built-in-api.ts";
import { heldAmong, qualifiedName } from "../apis/holdings.ts";
import type { AuditActor } from "../audit/actions.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertFreshSession } from "../auth/step-up.ts";
import { apiPermissionsByIds, reasonText, type StoredApiScope } from "../credentials/api-scopes.ts";
import { loadOwner } from "../credentials/owner.ts";
import { newId } from "../crypto/ids.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { isPermission, type Permission } from "../policy/permissions.ts";
import { getSettings } from "../settings/settings.ts";
import { newStoredSecret } from "./token-secrets.ts";
import { tokenExpiry } from "./token-expiry.ts";
import type { MintTokenInput } from "./token-schemas.ts";

/** Enough for any real use; a bound so that a script gone wrong cannot mint without end. */
export const MAX_ACTIVE_TOKENS_PER_USER = 100;

export type MintedToken = {
  id: string;
  token: string;
  name: string;
  scopes: Permission[];
  /** Permissions of other APIs the token carries. */
  apiPermissions: { id: string; api: { id: string; name: string; identifier: string }; name: string }[];
  expiresAt: Date | null;
};

/**
 * A personal token's permissions of other APIs, checked before the token is written: each exists,
 * its API is active and allows personal tokens, it is not deprecated, and the owner holds it now
 * (roles or Administrator: owning the API does not count, a token acts for its owner). Ids of
 * Keyward's own permissions are read as Keyward scopes. Read outside the minting transaction (the
 * holdings are read on the pool); the token is narrowed to its owner's permissions on every use anyway.
 */
async function checkApiScopes(
  ownerId: string,
  ids: readonly string[],
): Promise<{ builtIn: Permission[]; others: StoredApiScope[] }> {
  const rows = await apiPermissionsByIds(ids);
  if (rows.length < new Set(ids).size) {
    throw Invalid(
      "A chosen permission does not exist (it may have just been removed): reload and choose again.",
    );
  }
  const builtIn = rows.flatMap((row) =>
    row.apiId === BUILT_IN_API_ID && isPermission(row.name) ? [row.name] : [],
  );
  const others = rows.filter((row) => row.apiId !== BUILT_IN_API_ID);
  const refused = (rule: (row: StoredApiScope) => boolean, why: (row: StoredApiScope) => string) => {
    const hit = others.filter(rule);
    if (hit.length > 0) {
      throw Invalid(
        `A token cannot carry ${hit.map((row) => `${qualifiedName(row)} (${why(row)})`).join(", ")}.`,
      );
    }
  };
  refused(
    (row) => row.apiDisabled,
    (row) => reasonText("api_disabled", row.apiName),
  );
  refused(
    (row) => !row.allowPersonalTokens,
    (row) => `the API "${row.apiName}" does not allow personal tokens`,
  );
  refused(
    (row) => row.deprecated,
    () => "deprecated: it takes no new grants",
  );
  const held = await heldAmong(
    ownerId,
    others.map((row) => row.id),
  );
  const missing = others.filter((row) => !held.has(row.id));
  if (missing.length > 0) {
    throw Forbidden(
      `A token cannot carry permissions its owner does not hold: ${missing.map(qualifiedName).join(", ")}.`,
    );
  }
  return { builtIn, others };
}

/**
 * Mints a personal token for the signed-in user: scopes within their own permissions, an expiry
 * within the admin's cap, after a recent sign-in. Another credential cannot mint one, so a leaked
 * token cannot outlive its own revocation by minting a successor.
 */
export async function mintToken(
  input: MintTokenInput & { actor: Principal; context: RequestContext },
): Promise<MintedToken> {
  authorize(input.actor, "tokens.create");
  const actor = await assertFreshSession(input.actor);
  const apiScopes = await checkApiScopes(actor.userId, input.apiPermissionIds ?? []);
  return db.$transaction((tx) =>
    insertToken(tx, { ...input, apiScopes, ownerId: actor.userId, auditActor: auditActor(actor) }),
  );
}

/** The operator CLI's way in (`npm run admin -- create-token`): the same rules, checked against the owner. */
export async function mintTokenForUser(
  input: MintTokenInput & { ownerId: string; actor: AuditActor; context: RequestContext },
): Promise<MintedToken> {
  const apiScopes = await checkApiScopes(input.ownerId, input.apiPermissionIds ?? []);
  return db.$transaction((tx) => insertToken(tx, { ...input, apiScopes, auditActor: input.actor }));
}

async function insertToken(
  tx: Tx,
  input: MintTokenInput & {
    ownerId: string;
    apiScopes: { builtIn: Permission[]; others: StoredApiScope[] };
    auditActor: AuditActor;
    context: RequestContext;
  },
): Promise<MintedToken> {
  const scopes = [...new Set([...input.scopes, ...input.apiScopes.builtIn])].sort();
  const others = input.apiScopes.others;
  const owner = await loadOwner(tx, input.ownerId);
  if (!owner) throw NotFound("user");
  if (!owner.active) throw Conflict(`${owner.email} is not active: their tokens would not work.`);
  if (!owner.permissions.includes("tokens.create")) {
    throw Forbidden(`${owner.email} may not mint tokens (they lack tokens.create).`);
  }
  // Nobody grants what they do not hold: not to a role, not to a token.
  const missing = scopes.filter((scope) => !owner.permissions.includes(scope));
  if (missing.length > 0) {
    throw Forbidden(`A token cannot carry permissions its owner does not hold: ${missing.join(", ")}.`);
  }
  const now = new Date();
  const expiresAt = tokenExpiry(input, await getSettings(tx, { fresh: true }), now);
  const active = await tx.apiToken.count({
    where: { userId: owner.id, revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] },
  });
  if (active >= MAX_ACTIVE_TOKENS_PER_USER) {
    throw Conflict(`You have ${active} active tokens, the most allowed: revoke some first.`);
  }
  const id = newId("tok");
  const secret = newStoredSecret("personal");
  await tx.apiToken.create({
    data: {
      id,
      userId: owner.id,
      name: input.name,
      scopes: {
        create: [...builtInGrantRows(scopes), ...others.map((row) => ({ permissionId: row.id }))],
      },
      createdAt: now,
      expiresAt,
      secrets: { create: { ...secret.row, createdAt: now } },
    },
  });
  await recordAudit(tx, {
    action: "token.created",
    actor: input.auditActor,
    target: { kind: "token", id, display: input.name },
    context: input.context,
    details: {
      owner: { id: owner.id, email: owner.email },
      scopes,
      ...(others.length > 0 ? { apiPermissions: others.map(qualifiedName) } : {}),
      expiresAt: expiresAt?.toISOString() ?? null,
      fragment: secret.row.fragment,
    },
  });
  const apiPermissions = others.map((row) => ({
    id: row.id,
    api: { id: row.apiId, name: row.apiName, identifier: row.identifier },
    name: row.name,
  }));
  return { id, token: secret.value, name: input.name, scopes, apiPermissions, expiresAt };
}
