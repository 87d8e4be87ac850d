import { auditActor } from "../audit/actor.ts";
import { overviewChanged } from "../overview/figures-cache.ts";
import { recordAudit } from "../audit/record-audit.ts";
import { accountableUserId, type Principal, type RequestContext } from "../auth/principal.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { newId } from "../crypto/ids.ts";
import { db, type Tx } from "../db/client.ts";
import { Conflict, Forbidden, Invalid, NotFound } from "../errors/app-error.ts";
import { RISK_KEYS, RISKS, type RiskKey, type RiskTargetKind } from "../overview/risks.ts";
import { authorize, can } from "../policy/authorize.ts";
import type { Permission } from "../policy/permissions.ts";

/**
 * "Accept the risk" (issue 17): an administrator says why an item on a risk list is acceptable and
 * until when; the item is hidden from its list until that date, then comes back by itself (the
 * lists compare `until` with the clock, so no job needs to run first). One live acceptance per
 * (risk, target): a new one replaces the old. Accepting and withdrawing are audited on the item;
 * `expiredAt` and `risk.acceptance_expired` belong to the job that notices the date (lib/jobs).
 */

const DAY_MS = 86_400_000;
/** An acceptance lasts at most a year: a risk is looked at again at least that often. */
export const MAX_ACCEPTANCE_DAYS = 365;

const TARGET_PREFIX: Record<RiskTargetKind, string> = { user: "usr_", token: "tok_", client: "cli_" };

/** The permission that may change each kind of target, and so accept a risk about it. */
export const WRITE_PERMISSION: Record<RiskTargetKind, Permission> = {
  user: "users.write",
  token: "tokens.write",
  client: "clients.write",
};

/** Prisma's filter for the live acceptances at `now` (the lists use lib/overview/risk-conditions.ts `notAccepted`). */
export const liveAcceptanceWhere = (now = new Date()) => ({ revokedAt: null, until: { gt: now } });

type Target = { kind: RiskTargetKind; id: string; name: string };

async function findTarget(tx: Tx, kind: RiskTargetKind, id: string): Promise<Target | null> {
  switch (kind) {
    case "user": {
      const user = await tx.user.findUnique({ where: { id }, select: { id: true, email: true } });
      return user ? { kind, id: user.id, name: user.email } : null;
    }
    case "token": {
      const token = await tx.apiToken.findUnique({ where: { id }, select: { id: true, name: true } });
      return token ? { kind, id: token.id, name: token.name } : null;
    }
    case "client": {
      const client = await tx.apiClient.findUnique({ where: { id }, select: { id: true, name: true } });
      return client ? { kind, id: client.id, name: client.name } : null;
    }
  }
}

/** To see a risk list is to read its targets; to accept or withdraw is to be able to change them. */
function authorizeFor(actor: Principal, risk: RiskKey): RiskTargetKind {
  const definition = RISKS[risk];
  authorize(actor, definition.readPermission);
  authorize(actor, WRITE_PERMISSION[definition.targetKind]);
  return definition.targetKind;
}

/** Whether the principal is the very credential the item is about: nobody vouches for themself. */
function isItself(actor: Principal, kind: RiskTargetKind, targetId: string): boolean {
  if (kind === "token") return actor.kind === "token" && actor.tokenId === targetId;
  if (kind === "client") return actor.kind === "client" && actor.clientId === targetId;
  return actor.kind === "user" && actor.userId === targetId;
}

export type AcceptedRisk = {
  id: string;
  risk: RiskKey;
  targetKind: RiskTargetKind;
  targetId: string;
  until: Date;
  /** Ids of the live acceptances this one replaced (at most one, unless a race left two). */
  replaced: string[];
};

/**
 * Accepts a risk on one item until a date. The target must exist and be of the list's kind; the
 * reason is required (the schema bounds it); `until` lies in the future, within a year. Needs the
 * list's read permission and the target kind's write permission (users.write, tokens.write,
 * clients.write), and step-up for a session: it silences a security warning for up to a year. A
 * user may not accept a risk about their own account, nor a credential about itself.
 */
export async function acceptRisk(input: {
  actor: Principal;
  risk: RiskKey;
  targetId: string;
  reason: string;
  until: Date;
  context: RequestContext;
}): Promise<AcceptedRisk> {
  const kind = authorizeFor(input.actor, input.risk);
  if (!input.targetId.startsWith(TARGET_PREFIX[kind])) {
    throw Invalid(`The list ${input.risk} is about ${kind}s: that id is not one.`, [
      { path: "targetId", message: `Choose a ${kind} on this list.` },
    ]);
  }
  const reason = input.reason.trim();
  if (reason.length === 0 || reason.length > 500) {
    throw Invalid("Say why the risk is acceptable (at most 500 characters).", [
      { path: "reason", message: "Say why the risk is acceptable (at most 500 characters)." },
    ]);
  }
  const now = new Date();
  if (input.until.getTime() <= now.getTime()) {
    throw Invalid("Choose a date in the future.", [
      { path: "until", message: "Choose a date in the future." },
    ]);
  }
  if (input.until.getTime() - now.getTime() > (MAX_ACCEPTANCE_DAYS + 1) * DAY_MS) {
    const message = `Choose a date within a year (${MAX_ACCEPTANCE_DAYS} days): the risk is looked at again by then.`;
    throw Invalid(message, [{ path: "until", message }]);
  }
  if (isItself(input.actor, kind, input.targetId)) {
    throw Forbidden("Someone else must accept a risk about your own account or credential.");
  }
  await assertRecentAuth(input.actor);
  const who = auditActor(input.actor);
  const accepted = await db.$transaction(async (tx) => {
    // One live acceptance per (risk, target), also when two people accept at once.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(17017, hashtext(${`${input.risk} ${input.targetId}`}))`;
    const target = await findTarget(tx, kind, input.targetId);
    if (!target) throw NotFound(kind);
    const at = new Date();
    const live = await tx.riskAcceptance.findMany({
      where: { risk: input.risk, targetId: target.id, ...liveAcceptanceWhere(at) },
      select: { id: true },
    });
    const replaced = live.map((row) => row.id);
    if (replaced.length > 0) {
      // The same instant as the new row's creation: that is how "replaced" is told from "withdrawn".
      await tx.riskAcceptance.updateMany({ where: { id: { in: replaced } }, data: { revokedAt: at } });
    }
    const id = newId("rsk");
    await tx.riskAcceptance.create({
      data: {
        id,
        risk: input.risk,
        targetId: target.id,
        targetKind: kind,
        reason,
        until: input.until,
        acceptedById: accountableUserId(input.actor),
        acceptedBy: who.display ?? who.id ?? who.kind,
        createdAt: at,
      },
    });
    await recordAudit(tx, {
      action: "risk.accepted",
      actor: who,
      target: { kind, id: target.id, display: target.name },
      context: input.context,
      details: {
        risk: input.risk,
        acceptanceId: id,
        reason,
        until: input.until.toISOString(),
        ...(replaced.length > 0 ? { replaced } : {}),
      },
    });
    return { id, risk: input.risk, targetKind: kind, targetId: target.id, until: input.until, replaced };
  });
  // The overview's counts leave the item out from now on (other instances: within their freshness).
  overviewChanged();
  return accepted;
}

/** Withdraws a live acceptance: the item is back on its list at once. Audited on the item. */
export async function withdrawAcceptance(input: {
  actor: Principal;
  id: string;
  context: RequestContext;
}): Promise<void> {
  await db.$transaction(async (tx) => {
    const acceptance = await tx.riskAcceptance.findUnique({ where: { id: input.id } });
    const risk = acceptance?.risk;
    if (!acceptance || !risk || !isVisibleRisk(input.actor, risk)) throw NotFound("accepted risk");
    const kind = authorizeFor(input.actor, risk);
    const now = new Date();
    if (acceptance.revokedAt || acceptance.until <= now) throw Conflict("This acceptance has already ended.");
    const { count } = await tx.riskAcceptance.updateMany({
      where: { id: acceptance.id, ...liveAcceptanceWhere(now) },
      data: { revokedAt: now },
    });
    if (count === 0) throw Conflict("This acceptance has already ended.");
    const target = await findTarget(tx, kind, acceptance.targetId);
    await recordAudit(tx, {
      action: "risk.acceptance_withdrawn",
      actor: auditActor(input.actor),
      target: { kind, id: acceptance.targetId, ...(target ? { display: target.name } : {}) },
      context: input.context,
      details: {
        risk,
        acceptanceId: acceptance.id,
        reason: acceptance.reason,
        until: acceptance.until.toISOString(),
        acceptedBy: acceptance.acceptedBy,
      },
    });
  });
  overviewChanged();
}

function isVisibleRisk(actor: Principal, risk: string): risk is RiskKey {
  return Object.hasOwn(RISKS, risk) && can(actor, RISKS[risk as RiskKey].readPermission);
}

export type AcceptanceEnd = { how: "expired" | "withdrawn" | "replaced"; at: Date };

export type AcceptedRiskItem = {
  id: string;
  risk: RiskKey;
  /** The list's heading (lib/overview/risks.ts). */
  label: string;
  targetKind: RiskTargetKind;
  targetId: string;
  /** The user's email, token's or client's name; null once it is gone. */
  targetName: string | null;
  reason: string;
  until: Date;
  acceptedAt: Date;
  acceptedBy: { id: string | null; display: string };
  /** Null while live. */
  ended: AcceptanceEnd | null;
};

/**
 * The accepted risks the actor may see (the lists whose read permission they hold): the live ones,
 * soonest back first; with `includeEnded`, every acceptance, newest first, each saying how it
 * ended (its date passed, withdrawn, or replaced by a newer one). Cursor-paginated by id.
 */
export async function listAcceptedRisks(input: {
  actor: Principal;
  risk?: RiskKey;
  includeEnded?: boolean;
  after?: string;
  limit?: number;
}): Promise<{ items: AcceptedRiskItem[]; nextCursor: string | null }> {
  const visible = RISK_KEYS.filter((key) => can(input.actor, RISKS[key].readPermission));
  if (input.risk && !visible.includes(input.risk)) throw Forbidden();
  if (visible.length === 0) throw Forbidden();
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 100);
  const now = new Date();
  const rows = await db.riskAcceptance.findMany({
    where: {
      risk: input.risk ?? { in: visible },
      ...(input.includeEnded ? {} : liveAcceptanceWhere(now)),
    },
    orderBy: input.includeEnded ? [{ createdAt: "desc" }, { id: "desc" }] : [{ until: "asc" }, { id: "asc" }],
    ...(input.after ? { cursor: { id: input.after }, skip: 1 } : {}),
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const ids = (kind: RiskTargetKind) =>
    page.filter((row) => row.targetKind === kind).map((row) => row.targetId);
  const [users, tokens, clients, successors] = await Promise.all([
    db.user.findMany({ where: { id: { in: ids("user") } }, select: { id: true, email: true } }),
    db.apiToken.findMany({ where: { id: { in: ids("token") } }, select: { id: true, name: true } }),
    db.apiClient.findMany({ where: { id: { in: ids("client") } }, select: { id: true, name: true } }),
    db.riskAcceptance.findMany({
      where: {
        OR: page
          .filter((row) => row.revokedAt)
          .map((row) => ({ risk: row.risk, targetId: row.targetId, createdAt: row.revokedAt ?? now })),
      },
      select: { risk: true, targetId: true, createdAt: true },
    }),
  ]);
  const names = new Map<string, string>([
    ...users.map((user) => [user.id, user.email] as const),
    ...tokens.map((token) => [token.id, token.name] as const),
    ...clients.map((client) => [client.id, client.name] as const),
  ]);
  const replacedAt = new Set(
    successors.map((row) => `${row.risk} ${row.targetId} ${row.createdAt.getTime()}`),
  );
  const items = page.flatMap((row): AcceptedRiskItem[] => {
    if (!Object.hasOwn(RISKS, row.risk)) return [];
    const risk = row.risk as RiskKey;
    let ended: AcceptanceEnd | null = null;
    if (row.revokedAt) {
      const replaced = replacedAt.has(`${row.risk} ${row.targetId} ${row.revokedAt.getTime()}`);
      ended = { how: replaced ? "replaced" : "withdrawn", at: row.revokedAt };
    } else if (row.until <= now) {
      ended = { how: "expired", at: row.until };
    }
    return [
      {
        id: row.id,
        risk,
        label: RISKS[risk].label,
        targetKind: RISKS[risk].targetKind,
        targetId: row.targetId,
        targetName: names.get(row.targetId) ?? null,
        reason: row.reason,
        until: row.until,
        acceptedAt: row.createdAt,
        acceptedBy: { id: row.acceptedById, display: row.acceptedBy },
        ended,
      },
    ];
  });
  const last = page.at(-1);
  return { items, nextCursor: rows.length > limit && last ? last.id : null };
}
