import type { AuditActor } from "../audit/actions.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertFreshSession } from "../auth/step-up.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, Forbidden } from "../errors/app-error.ts";
import { findVisibleToken, manageableToken, ownsToken } from "./token-access.ts";
import { newStoredSecret } from "./token-secrets.ts";
import { retireSecrets } from "../credentials/secret-rotation.ts";
import { credentialNotice, noticeCredentialChange } from "../remedies/credential-notices.ts";

type TokenInput = { actor: Principal; tokenId: string; context: RequestContext };

/**
 * Revokes a token: its owner may (signed in, or with that token itself), and so may holders of
 * tokens.write. It stops working on the next request, here and on every instance.
 */
export async function revokeToken(input: TokenInput): Promise<void> {
  const revoked = await db.$transaction(async (tx) => {
    const token = await manageableToken(tx, input.actor, input.tokenId);
    if (token.revokedAt) return null;
    await revokeTokensInTx(tx, { tokens: [token], actor: auditActor(input.actor), context: input.context });
    return token;
  });
  // Revoked by someone else: the owner hears of it (with SMTP), after the commit.
  if (revoked)
    noticeCredentialChange({
      ...credentialNotice("token", revoked, revoked.userId, input),
      change: { change: "revoked" },
    });
}

/**
 * The one revocation, inside the caller's transaction: marks the tokens revoked, drops them from
 * the verification cache (here and, on commit, on every instance) and records one event each.
 * Also used where a change to the account revokes its tokens (a password change or reset).
 */
export async function revokeTokensInTx(
  tx: Tx,
  input: {
    tokens: readonly { id: string; name: string; user: { id: string; email: string } }[];
    actor: AuditActor;
    context: RequestContext;
    /** Why, when it is not the token itself being revoked (e.g. "password_changed"). */
    reason?: string;
  },
): Promise<void> {
  if (input.tokens.length === 0) return;
  const ids = input.tokens.map((token) => token.id);
  await tx.apiToken.updateMany({
    where: { id: { in: ids }, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  await credentialsChanged(
    tx,
    ids.map((id) => `token:${id}` as const),
  );
  for (const token of input.tokens) {
    await recordAudit(tx, {
      action: "token.revoked",
      actor: input.actor,
      target: { kind: "token", id: token.id, display: token.name },
      context: input.context,
      details: {
        owner: { id: token.user.id, email: token.user.email },
        ...(input.reason ? { reason: input.reason } : {}),
      },
    });
  }
}

/**
 * A new secret for the same token (same scopes and expiry: rotation is not renewal). The old secret
 * stops at once, or after the overlap the owner chose so that deployments can switch over. Only the
 * owner may rotate: whoever rotates sees the new secret.
 */
export async function rotateToken(
  input: TokenInput & { overlapMinutes: number },
): Promise<{ token: string; oldSecretExpiresAt: Date | null }> {
  // A new secret is a new credential: never for a bearer (not even the token itself, which could
  // otherwise outlive its own leak by rotating), only for its owner, signed in under step-up.
  await assertFreshSession(input.actor);
  return db.$transaction(async (tx) => {
    const token = await findVisibleToken(tx, input.actor, input.tokenId);
    if (!ownsToken(input.actor, token)) throw Forbidden("Only a token's owner can rotate it.");
    const now = new Date();
    if (token.revokedAt) throw Conflict("This token is revoked: mint a new one instead.");
    if (token.expiresAt && token.expiresAt <= now)
      throw Conflict("This token has expired: mint a new one instead.");
    const overlapEnds = await retireSecrets(
      tx.apiTokenSecret,
      { tokenId: token.id },
      input.overlapMinutes,
      now,
    );
    const secret = newStoredSecret("personal");
    await tx.apiTokenSecret.create({ data: { ...secret.row, tokenId: token.id, createdAt: now } });
    await credentialsChanged(tx, [`token:${token.id}`]);
    await recordAudit(tx, {
      action: "token.rotated",
      actor: auditActor(input.actor),
      target: { kind: "token", id: token.id, display: token.name },
      context: input.context,
      details: {
        overlapMinutes: input.overlapMinutes,
        oldSecretExpiresAt: overlapEnds?.toISOString() ?? now.toISOString(),
        fragment: secret.row.fragment,
      },
    });
    return { token: secret.value, oldSecretExpiresAt: overlapEnds };
  });
}
