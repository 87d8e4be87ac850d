import { GRANT_SELECT } from "../apis/built-in-api.ts";
import { accountableUserId, type Principal } from "../auth/principal.ts";
import type { Tx } from "../db/client.ts";
import { NotFound } from "../errors/app-error.ts";
import { authorize, can } from "../policy/authorize.ts";

/** Whether the caller owns the token: as the signed-in owner, or as that very token. */
export function ownsToken(actor: Principal, token: { id: string; userId: string }): boolean {
  if (actor.kind === "user") return actor.userId === token.userId;
  if (actor.kind === "token") return actor.tokenId === token.id;
  return false;
}

/**
 * A token the caller may see: their own, or anyone's with tokens.read. Anything else is "not found",
 * so nobody learns which token ids exist.
 */
export async function findVisibleToken(tx: Tx, actor: Principal, tokenId: string) {
  const token = await tx.apiToken.findUnique({
    where: { id: tokenId },
    include: {
      user: { select: { id: true, email: true, name: true, status: true } },
      scopes: GRANT_SELECT,
    },
  });
  if (!token) throw NotFound("token");
  const mine = actor.kind !== "client" && accountableUserId(actor) === token.userId;
  if (!mine && !can(actor, "tokens.read")) throw NotFound("token");
  return token;
}

/**
 * A token the caller may change (revoke, narrow, shorten): its owner (signed in, or the token
 * itself), or anyone who may see it and holds tokens.write.
 */
export async function manageableToken(tx: Tx, actor: Principal, tokenId: string) {
  const token = await findVisibleToken(tx, actor, tokenId);
  if (!ownsToken(actor, token)) authorize(actor, "tokens.write");
  return token;
}
