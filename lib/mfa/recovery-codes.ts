import { randomInt } from "node:crypto";

import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { RequestContext, UserPrincipal } from "../auth/principal.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { newId } from "../crypto/ids.ts";
import type { Tx } from "../db/client.ts";

export const RECOVERY_CODE_COUNT = 10;
export const RECOVERY_CODES_LOW = 3;

// Crockford base32, 24 characters: 120 bits, above the 112 at which ASVS 6.5.2 allows a plain hash
// (a stored SHA-256 of so much randomness cannot be reversed by brute force). Codes issued with 16
// characters before still work until replaced.
const ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const CODE_LENGTH = 24;

function newCode(): string {
  const chars = Array.from({ length: CODE_LENGTH }, () => ALPHABET[randomInt(32)]).join("");
  return chars.match(/.{4}/g)?.join("-") ?? chars;
}

export function normaliseRecoveryCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
}

const hashCode = (code: string) => sha256Hex(`keyward-recovery:${normaliseRecoveryCode(code)}`);

/** Replaces the user's set with ten new codes, returned once; only their hashes are stored. */
export async function replaceRecoveryCodes(tx: Tx, userId: string): Promise<string[]> {
  await tx.recoveryCode.deleteMany({ where: { userId } });
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
  await tx.recoveryCode.createMany({
    data: codes.map((code) => ({ id: newId("rec"), userId, codeHash: hashCode(code) })),
  });
  return codes;
}

/** Uses a code once: of two concurrent uses only one marks it. */
export async function consumeRecoveryCode(tx: Tx, userId: string, code: string): Promise<boolean> {
  const { count } = await tx.recoveryCode.updateMany({
    where: { userId, codeHash: hashCode(code), usedAt: null },
    data: { usedAt: new Date() },
  });
  return count === 1;
}

export function remainingRecoveryCodes(tx: Pick<Tx, "recoveryCode">, userId: string): Promise<number> {
  return tx.recoveryCode.count({ where: { userId, usedAt: null } });
}

/**
 * After a factor is added: the session that just proved it counts as MFA-fresh, and the first
 * factor comes with ten recovery codes (returned once, audited).
 */
export async function afterFactorAdded(
  tx: Tx,
  input: { actor: UserPrincipal; wasFirst: boolean; context: RequestContext },
): Promise<string[] | null> {
  const { actor } = input;
  await tx.session.update({ where: { id: actor.sessionId }, data: { mfaTime: new Date() } });
  if (!input.wasFirst) return null;
  const codes = await replaceRecoveryCodes(tx, actor.userId);
  await recordAudit(tx, {
    action: "mfa.recovery_codes_generated",
    actor: auditActor(actor),
    target: { kind: "user", id: actor.userId, display: actor.email },
    context: input.context,
  });
  return codes;
}
