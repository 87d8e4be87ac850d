import type { Db } from "../db/client.ts";
import { getConfig } from "../config/env.ts";
import { eventHash, GENESIS_HASH } from "./canonical.ts";
import { checkpointSignatureValid } from "./checkpoint-signature.ts";

export type ChainVerification =
  { ok: true; checked: number } | { ok: false; checked: number; firstBadId: bigint; reason: string };

const BATCH = 1000;

/**
 * Recomputes every hash from the last checkpoint on. An edited event fails its own hash; a deleted
 * or reordered one breaks the link (prevHash) of the event after it.
 */
export async function verifyAuditChain(client: Db): Promise<ChainVerification> {
  const checkpoint = await client.auditCheckpoint.findFirst({ orderBy: { lastId: "desc" } });
  if (
    checkpoint &&
    !checkpointSignatureValid(
      getConfig().encryptionKeys,
      checkpoint.lastId,
      checkpoint.lastHash,
      checkpoint.signature,
    )
  ) {
    return {
      ok: false,
      checked: 0,
      firstBadId: checkpoint.lastId,
      reason: "the retention checkpoint's signature is not valid (forged)",
    };
  }
  let expectedPrev = checkpoint?.lastHash ?? GENESIS_HASH;
  let afterId = checkpoint?.lastId ?? BigInt(0);
  let checked = 0;
  for (;;) {
    const rows = await client.auditEvent.findMany({
      where: { id: { gt: afterId } },
      orderBy: { id: "asc" },
      take: BATCH,
    });
    for (const row of rows) {
      const { hash, prevHash, ...event } = row;
      if (prevHash !== expectedPrev) {
        return {
          ok: false,
          checked,
          firstBadId: row.id,
          reason: "link to the previous event is broken (deleted or reordered)",
        };
      }
      if (eventHash(prevHash, event) !== hash) {
        return { ok: false, checked, firstBadId: row.id, reason: "content does not match its hash (edited)" };
      }
      expectedPrev = hash;
      checked++;
    }
    if (rows.length < BATCH) return { ok: true, checked };
    afterId = rows[rows.length - 1]?.id ?? afterId;
  }
}
