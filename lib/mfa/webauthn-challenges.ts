import { newId } from "../crypto/ids.ts";
import { db } from "../db/client.ts";
import { AppError } from "../errors/app-error.ts";

/** Challenges expire in five minutes and are single-use: deleted before the response is verified. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

export type ChallengePurpose = "registration" | "second_factor" | "passwordless" | "step_up";
type Binding = { userId?: string; attemptId?: string; id?: string };

export async function saveChallenge(
  purpose: ChallengePurpose,
  challenge: string,
  binding: Binding,
): Promise<string> {
  const id = newId("wch");
  await db.$transaction(async (tx) => {
    // One live challenge per binding, and expired ones go whenever a new one is made.
    await tx.webAuthnChallenge.deleteMany({
      where: {
        OR: [
          { expiresAt: { lte: new Date() } },
          ...(binding.userId ? [{ purpose, userId: binding.userId }] : []),
          ...(binding.attemptId ? [{ purpose, attemptId: binding.attemptId }] : []),
        ],
      },
    });
    await tx.webAuthnChallenge.create({
      data: {
        id,
        challenge,
        purpose,
        userId: binding.userId ?? null,
        attemptId: binding.attemptId ?? null,
        expiresAt: new Date(Date.now() + CHALLENGE_TTL_MS),
      },
    });
  });
  return id;
}

/** Takes (deletes) the challenge for this purpose and binding; a missing or expired one is a clear 400. */
export async function takeChallenge(purpose: ChallengePurpose, binding: Binding): Promise<string> {
  const where = {
    purpose,
    ...(binding.id ? { id: binding.id } : {}),
    ...(binding.userId ? { userId: binding.userId } : {}),
    ...(binding.attemptId ? { attemptId: binding.attemptId } : {}),
  };
  if (!binding.id && !binding.userId && !binding.attemptId) throw expired();
  const row = await db.webAuthnChallenge.findFirst({ where, orderBy: { createdAt: "desc" } });
  if (!row) throw expired();
  const { count } = await db.webAuthnChallenge.deleteMany({ where: { id: row.id } });
  if (count !== 1 || row.expiresAt <= new Date()) throw expired();
  return row.challenge;
}

const expired = () =>
  new AppError("invalid", "This passkey request has expired or was already used. Try again.");
