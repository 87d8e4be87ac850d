import { sha256Hex } from "../../crypto/hash.ts";
import { newId, randomSecret } from "../../crypto/ids.ts";
import type { Tx } from "../../db/client.ts";
import type { RequestContext } from "../principal.ts";

/** A sign-in attempt lives five minutes: long enough to find a phone, short enough to be useless later. */
export const ATTEMPT_TTL_SECONDS = 5 * 60;

/** The browser keeps the attempt's secret in this short-lived httpOnly cookie. */
export const ATTEMPT_COOKIE = "kw_signin";

export async function createAttempt(
  tx: Tx,
  input: { userId: string; factorsPassed: string[]; context: RequestContext },
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomSecret();
  const expiresAt = new Date(Date.now() + ATTEMPT_TTL_SECONDS * 1000);
  // A user has at most one attempt in flight: a new password step replaces the old one.
  await tx.signInAttempt.deleteMany({
    where: { OR: [{ userId: input.userId }, { expiresAt: { lte: new Date() } }] },
  });
  await tx.signInAttempt.create({
    data: {
      id: newId("att"),
      tokenHash: sha256Hex(token),
      userId: input.userId,
      factorsPassed: input.factorsPassed,
      expiresAt,
      ip: input.context.ip,
      userAgent: input.context.userAgent.slice(0, 512),
    },
  });
  return { token, expiresAt };
}

export function findAttempt(tx: Pick<Tx, "signInAttempt">, token: string) {
  return tx.signInAttempt.findUnique({ where: { tokenHash: sha256Hex(token) } });
}

/**
 * Ends the user's half-done sign-ins: used when the password changes or is reset, since an attempt
 * that passed the old password must not finish with a second factor after it.
 */
export async function endSignInAttempts(tx: Pick<Tx, "signInAttempt">, userId: string): Promise<number> {
  const { count } = await tx.signInAttempt.deleteMany({ where: { userId } });
  return count;
}
