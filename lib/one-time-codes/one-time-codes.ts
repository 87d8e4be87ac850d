import { randomInt } from "node:crypto";

import { sha256Hex } from "../crypto/hash.ts";
import { newId, randomSecret } from "../crypto/ids.ts";
import type { Tx } from "../db/client.ts";
import type { OneTimeCodePurpose } from "../db/generated/enums.ts";

/**
 * One mechanism for every one-time secret (setup code, invitation, password-reset and
 * email-verification links): random, stored only as a SHA-256 hash, expiring, single-use, revocable.
 */
export type IssueCodeInput = {
  purpose: OneTimeCodePurpose;
  userId?: string;
  createdBy?: string;
  /**
   * The address Keyward mails the link to, recorded as a fact: using the link proves that mailbox
   * (issue 15). Absent when the link is shown to a person, who may pass it on to anyone.
   */
  sentTo?: string;
  ttlSeconds: number;
  /** "link": 256-bit URL-safe secret. "typed": 60 bits as XXXX-XXXX-XXXX, for a person to type (rate-limited). */
  format: "link" | "typed";
};

// Crockford base32: no I, L, O, U, so a typed code is hard to misread.
const TYPED_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

function typedCode(): string {
  const chars = Array.from({ length: 12 }, () => TYPED_ALPHABET[randomInt(32)]);
  return `${chars.slice(0, 4).join("")}-${chars.slice(4, 8).join("")}-${chars.slice(8).join("")}`;
}

/** Case, spaces and dashes do not matter when a person types a code. */
export function normaliseCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
}

function hashCode(code: string, format: IssueCodeInput["format"]): string {
  return sha256Hex(format === "typed" ? normaliseCode(code) : code);
}

/** Revokes earlier unused codes of the same purpose (and user), then issues a new one. Returns the secret once. */
export async function issueCode(
  tx: Tx,
  input: IssueCodeInput,
): Promise<{ id: string; code: string; expiresAt: Date }> {
  const now = new Date();
  await tx.oneTimeCode.updateMany({
    where: { purpose: input.purpose, userId: input.userId ?? null, usedAt: null, revokedAt: null },
    data: { revokedAt: now },
  });
  const code = input.format === "typed" ? typedCode() : randomSecret();
  const expiresAt = new Date(now.getTime() + input.ttlSeconds * 1000);
  const id = newId("otc");
  await tx.oneTimeCode.create({
    data: {
      id,
      purpose: input.purpose,
      codeHash: hashCode(code, input.format),
      userId: input.userId ?? null,
      createdBy: input.createdBy ?? null,
      sentTo: input.sentTo ?? null,
      expiresAt,
    },
  });
  return { id, code, expiresAt };
}

export type ConsumeResult =
  | { ok: true; id: string; userId: string | null; sentTo: string | null }
  | { ok: false; reason: "unknown" | "expired" | "used" };

/**
 * Marks the code used, atomically: of two concurrent uses exactly one succeeds (the update is
 * conditional on it still being unused).
 */
export async function consumeCode(
  tx: Tx,
  input: { purpose: OneTimeCodePurpose; code: string; format: IssueCodeInput["format"] },
): Promise<ConsumeResult> {
  const now = new Date();
  const row = await tx.oneTimeCode.findUnique({ where: { codeHash: hashCode(input.code, input.format) } });
  if (!row || row.purpose !== input.purpose) return { ok: false, reason: "unknown" };
  if (row.usedAt || row.revokedAt) return { ok: false, reason: "used" };
  if (row.expiresAt <= now) return { ok: false, reason: "expired" };
  const { count } = await tx.oneTimeCode.updateMany({
    where: { id: row.id, usedAt: null, revokedAt: null },
    data: { usedAt: now },
  });
  if (count !== 1) return { ok: false, reason: "used" };
  return { ok: true, id: row.id, userId: row.userId, sentTo: row.sentTo };
}

/**
 * A link that was to be mailed is shown to a person instead (the mail could not be sent): it no
 * longer proves anything about the mailbox. Call before the link is shown, never after.
 */
export async function markShown(tx: Tx, id: string): Promise<void> {
  await tx.oneTimeCode.update({ where: { id }, data: { sentTo: null } });
}
