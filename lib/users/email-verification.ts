import type { Tx } from "../db/client.ts";

/**
 * Issue 15: an address is verified only when someone proved they read it, by using a one-time link
 * Keyward itself mailed there. A link an administrator was shown and passed on proves nothing about
 * the mailbox; any change of the address clears the proof (manage-user.ts). This is what the OpenID
 * provider reports as `email_verified`.
 */
export function emailVerified(user: { emailVerifiedAt: Date | null }): boolean {
  return user.emailVerifiedAt !== null;
}

/**
 * Records the proof, in the transaction that used the mailed link. Conditional on the account
 * still having that address, so an email change committed meanwhile never inherits it. True when
 * this call verified it (false when it already was, or the address moved).
 */
export async function markEmailVerified(tx: Tx, user: { id: string; email: string }): Promise<boolean> {
  const { count } = await tx.user.updateMany({
    where: { id: user.id, email: user.email, emailVerifiedAt: null },
    data: { emailVerifiedAt: new Date() },
  });
  return count === 1;
}
