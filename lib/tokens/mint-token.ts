import { builtInGrantRows } from "../apis/built-in-api.ts";
import type { AuditActor } from "../audit/actions.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertFreshSession } from "../auth/step-up.ts";
import { loadOwner } from "../credentials/owner.ts";
import { newId } from "../crypto/ids.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, Forbidden, NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import type { Permission } from "../policy/permissions.ts";
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
  expiresAt: Date | null;
};

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
  return db.$transaction((tx) =>
    insertToken(tx, { ...input, ownerId: actor.userId, auditActor: auditActor(actor) }),
  );
}

/** The operator CLI's way in (`npm run admin -- create-token`): the same rules, checked against the owner. */
export async function mintTokenForUser(
  input: MintTokenInput & { ownerId: string; actor: AuditActor; context: RequestContext },
): Promise<MintedToken> {
  return db.$transaction((tx) => insertToken(tx, { ...input, auditActor: input.actor }));
}

async function insertToken(
  tx: Tx,
  input: MintTokenInput & { ownerId: string; auditActor: AuditActor; context: RequestContext },
): Promise<MintedToken> {
  const owner = await loadOwner(tx, input.ownerId);
  if (!owner) throw NotFound("user");
  if (!owner.active) throw Conflict(`${owner.email} is not active: their tokens would not work.`);
  if (!owner.permissions.includes("tokens.create")) {
    throw Forbidden(`${owner.email} may not mint tokens (they lack tokens.create).`);
  }
  // Nobody grants what they do not hold: not to a role, not to a token.
  const missing = input.scopes.filter((scope) => !owner.permissions.includes(scope));
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
      scopes: { create: builtInGrantRows(input.scopes) },
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
      scopes: input.scopes,
      expiresAt: expiresAt?.toISOString() ?? null,
      fragment: secret.row.fragment,
    },
  });
  return { id, token: secret.value, name: input.name, scopes: input.scopes, expiresAt };
}
