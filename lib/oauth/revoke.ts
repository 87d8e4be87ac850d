import type { AuditActor } from "../audit/actions.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { RequestContext } from "../auth/principal.ts";
import type { ClientState } from "../clients/verify-client-secret.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { isWellFormedToken } from "../crypto/secret-token.ts";
import { db } from "../db/client.ts";
import { OAuthError } from "./oauth-error.ts";
import { verifyAccessToken } from "./verify-access-token.ts";

/**
 * RFC 7009. An access token may be revoked by the client it was issued to: its id goes on a
 * deny-list until it would have expired anyway. A personal token may be revoked by any
 * authenticated client that holds it (e.g. a secret scanner that found it in a repository).
 * Unknown, invalid or already expired tokens need nothing: the answer is 200 all the same.
 */
export async function revokeWithClient(
  client: ClientState,
  token: string,
  context: RequestContext,
): Promise<void> {
  const actor: AuditActor = { kind: "client", id: client.clientId, display: client.clientName };
  if (isWellFormedToken("personal", token)) {
    await db.$transaction(async (tx) => {
      const secret = await tx.apiTokenSecret.findUnique({
        where: { hash: sha256Hex(token) },
        select: { token: { select: { id: true, name: true, revokedAt: true, userId: true } } },
      });
      if (!secret || secret.token.revokedAt) return;
      await tx.apiToken.update({ where: { id: secret.token.id }, data: { revokedAt: new Date() } });
      await credentialsChanged(tx, [`token:${secret.token.id}`]);
      await recordAudit(tx, {
        action: "token.revoked",
        actor,
        target: { kind: "token", id: secret.token.id, display: secret.token.name },
        context,
        details: { via: "oauth_revocation", owner: { id: secret.token.userId } },
      });
    });
    return;
  }
  const state = await verifyAccessToken(token);
  if (!state) return;
  if (state.clientId !== client.clientId) {
    throw new OAuthError("unauthorized_client", "This token was not issued to the client revoking it.");
  }
  await db.$transaction(async (tx) => {
    const now = new Date();
    await tx.revokedJwt.deleteMany({ where: { expiresAt: { lte: now } } });
    const { count } = await tx.revokedJwt.createMany({
      data: [{ jti: state.jti, expiresAt: new Date(state.exp * 1000) }],
      skipDuplicates: true,
    });
    if (count === 0) return;
    await credentialsChanged(tx, [`jti:${state.jti}`]);
    await recordAudit(tx, {
      action: "oauth.token_revoked",
      actor,
      target: { kind: "access_token", id: state.jti },
      context,
      details: { expiresAt: new Date(state.exp * 1000).toISOString() },
    });
  });
}
