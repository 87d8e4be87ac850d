import type { Tx } from "../db/client.ts";

/** Any constant: the advisory lock that serialises appends to the chain (and its checkpoints). */
export const AUDIT_CHAIN_LOCK = 7_294_011;

/**
 * Takes the chain's lock until the transaction ends. Its own statement, before anything is read: a
 * statement's snapshot is taken when it starts, so a read in the same statement could see a head
 * that another writer has since replaced.
 */
export async function lockAuditChain(tx: Tx): Promise<void> {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
}
