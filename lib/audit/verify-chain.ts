import type { Db } from "../db/client.ts";
import { getConfig } from "../config/env.ts";
import type { Keyring } from "../crypto/encryption.ts";
import { eventHash, GENESIS_HASH } from "./canonical.ts";
import { checkpointSignatureValid } from "./checkpoint-signature.ts";
import { checkpointDue, headKind } from "./head-checkpoints.ts";

/** A position and hash of the chain, written `id:hash` for export (`--expect-head`). */
export type ChainHead = { id: bigint; hash: string };

export type ChainProblem = { id: bigint; reason: string };

export type ChainVerification = {
  ok: boolean;
  /** Events read and checked. */
  checked: number;
  /** Signed head checkpoints the chain was checked against. */
  checkpoints: number;
  /** The newest event as stored (or the retention checkpoint when every event is pruned). */
  head: ChainHead | null;
  /** Every problem found, in chain order, the first MAX_REPORTED of them. */
  problems: ChainProblem[];
  problemCount: number;
  /** What could not be checked (not failures): an exported head behind the retention checkpoint. */
  notes: string[];
  /** The first problem, for one-line reports. */
  firstBadId?: bigint;
  reason?: string;
};

const BATCH = 1000;

const MISSING =
  "the signed head checkpoint due at this event is missing: deleted (or, on a log older than head " +
  "checkpoints, not adopted yet: npm run audit:verify -- --adopt-existing)";
export const MAX_REPORTED = 1000;

export const formatHead = (head: ChainHead) => `${head.id.toString()}:${head.hash}`;

/** Parses `id:hash` as printed by formatHead; null when it is not one. */
export function parseHead(text: string): ChainHead | null {
  const match = /^(\d{1,19}):([0-9a-f]{64})$/.exec(text.trim());
  return match?.[1] && match[2] ? { id: BigInt(match[1]), hash: match[2] } : null;
}

type Anchor = { id: bigint; hash: string; what: string; trusted: boolean };

/**
 * Recomputes every hash from the retention checkpoint on and reports every bad event, not only
 * the first: after a problem it goes on from the stored hash, so one edited row is one report.
 * - an edited event fails its own hash; a deleted or reordered one breaks its successor's link;
 * - every signed head checkpoint (lib/audit/head-checkpoints.ts) must verify and the chain must
 *   pass through it: rewriting rows and recomputing every later hash is caught at the next one,
 *   and so is dropping the events up to one, or deleting a checkpoint where one was due;
 * - `expectHead`, a head exported earlier (`id:hash`), must also be on the chain: so truncation
 *   after the newest checkpoint is caught too.
 */
export async function verifyAuditChain(
  client: Db,
  options: { expectHead?: ChainHead; keyring?: Keyring } = {},
): Promise<ChainVerification> {
  const keyring = options.keyring ?? getConfig().encryptionKeys;
  const problems: ChainProblem[] = [];
  let problemCount = 0;
  const report = (id: bigint, reason: string) => {
    problemCount++;
    if (problems.length < MAX_REPORTED) problems.push({ id, reason });
  };
  const notes: string[] = [];

  // The newest event, the retention checkpoint and the head checkpoints from one snapshot, so that
  // an append meanwhile (an event with its checkpoint) is either in all three or in none; events
  // are then read up to that newest one.
  const [newest, retention, heads] = await client.$transaction(
    [
      client.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }),
      client.auditCheckpoint.findFirst({ orderBy: { lastId: "desc" } }),
      client.auditHeadCheckpoint.findMany({ orderBy: { lastId: "asc" } }),
    ],
    { isolationLevel: "RepeatableRead" },
  );
  const bound = newest?.id ?? BigInt(0);
  if (
    retention &&
    !checkpointSignatureValid(keyring, retention.lastId, retention.lastHash, retention.signature, "retention")
  ) {
    report(retention.lastId, "the retention checkpoint's signature is not valid (forged)");
  }
  const startId = retention?.lastId ?? BigInt(0);
  let expectedPrev = retention?.lastHash ?? GENESIS_HASH;

  // The interval schedule continues from the newest checkpoint at or before the start.
  let scheduleBase: bigint | null = null;
  // Before the operator's adoption of a log older than checkpoints, none are required.
  let adoptedUpTo = BigInt(0);
  const anchors: Anchor[] = [];
  let checkpoints = 0;
  for (const head of heads) {
    const kind = headKind(head.reason);
    const valid = checkpointSignatureValid(keyring, head.lastId, head.lastHash, head.signature, kind);
    if (head.lastId <= startId) {
      // Behind the retention checkpoint: nothing left to check against, only where the schedule stands.
      if (valid) scheduleBase = head.lastId;
      if (valid && kind === "adopted") adoptedUpTo = head.lastId;
      continue;
    }
    checkpoints++;
    if (!valid) report(head.lastId, "the signed head checkpoint's signature is not valid (forged)");
    if (valid && kind === "adopted") adoptedUpTo = head.lastId;
    anchors.push({ id: head.lastId, hash: head.lastHash, what: "signed checkpoint", trusted: valid });
  }
  const present = new Set(anchors.map((anchor) => anchor.id));
  if (options.expectHead) {
    const expected = options.expectHead;
    if (expected.id > startId) {
      anchors.push({ id: expected.id, hash: expected.hash, what: "expected head", trusted: true });
      anchors.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    } else if (expected.id === startId && retention) {
      if (expected.hash !== retention.lastHash)
        report(expected.id, "the expected head differs from the chain");
    } else {
      notes.push(
        `The expected head ${formatHead(expected)} is behind the retention checkpoint: not checkable.`,
      );
    }
  }

  let next = 0; // the first anchor not yet reached
  let previousAnchorId = startId;
  let last: ChainHead | null = retention ? { id: retention.lastId, hash: retention.lastHash } : null;
  let checked = 0;
  let afterId = startId;
  for (;;) {
    const rows = await client.auditEvent.findMany({
      where: { id: { gt: afterId, lte: bound } },
      orderBy: { id: "asc" },
      take: BATCH,
    });
    for (const row of rows) {
      const { hash, prevHash, ...event } = row;
      // Anchors on positions this row skipped over: their event is gone.
      for (; next < anchors.length && (anchors[next] as Anchor).id < row.id; next++) {
        const anchor = anchors[next] as Anchor;
        report(anchor.id, `the event of the ${anchor.what} is missing (deleted)`);
        previousAnchorId = anchor.id;
      }
      if (prevHash !== expectedPrev) {
        report(row.id, "link to the previous event is broken (deleted or reordered)");
      }
      if (eventHash(prevHash, event) !== hash) {
        report(row.id, "content does not match its hash (edited)");
      }
      for (; next < anchors.length && (anchors[next] as Anchor).id === row.id; next++) {
        const anchor = anchors[next] as Anchor;
        if (anchor.trusted && anchor.hash !== hash) {
          report(
            row.id,
            `the chain differs from the ${anchor.what}: events after ${previousAnchorId.toString()} were rewritten`,
          );
        }
        previousAnchorId = anchor.id;
      }
      // A checkpoint must exist wherever recordAudit wrote one: deleting them is no way out.
      if (present.has(row.id)) {
        scheduleBase = row.id;
      } else if (row.id > adoptedUpTo && checkpointDue(row.id, scheduleBase)) {
        report(row.id, MISSING);
        scheduleBase = row.id;
      }
      expectedPrev = hash;
      last = { id: row.id, hash };
      checked++;
    }
    if (rows.length < BATCH) break;
    afterId = rows[rows.length - 1]?.id ?? afterId;
  }
  for (; next < anchors.length; next++) {
    const anchor = anchors[next] as Anchor;
    report(anchor.id, `the chain ends before the ${anchor.what}: the newest events were dropped (truncated)`);
  }
  const first = problems[0];
  return {
    ok: problemCount === 0,
    checked,
    checkpoints,
    head: last,
    problems,
    problemCount,
    notes,
    ...(first ? { firstBadId: first.id, reason: first.reason } : {}),
  };
}
