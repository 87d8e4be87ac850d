import { GRANT_SELECT } from "../apis/built-in-api.ts";
import { accountableUserId, type Principal } from "../auth/principal.ts";
import type { Tx } from "../db/client.ts";
import { NotFound } from "../errors/app-error.ts";
import { can } from "../policy/authorize.ts";

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
