import type { UserPrincipal } from "../auth/principal.ts";
import { describeUserAgent } from "../auth/user-agent.ts";
import { db } from "../db/client.ts";
import { ACCOUNT_TARGET_ACTIONS, describeSecurityEvent, OWN_FACTOR_ACTIONS } from "./security-events.ts";

export const ACTIVITY_DAYS = 90;
export const ACTIVITY_LIMIT = 20;

export type SecurityActivityItem = {
  id: string;
  at: Date;
  title: string;
  detail: string;
  /** "You", an administrator's name, an API credential, or who held a link. */
  by: string;
  byYou: boolean;
  /**
   * Where the user's own changes came from ("Firefox 140 on Linux · 203.0.113.7"), to recognise
   * their devices; empty for others' changes, whose addresses are not the user's to see.
   */
  from: string;
};

type Row = {
  id: bigint;
  occurredAt: Date;
  actorKind: string;
  actorId: string | null;
  actorDisplay: string | null;
  action: string;
  targetKind: string | null;
  targetDisplay: string | null;
  ip: string | null;
  userAgent: string | null;
  details: unknown;
};

const select = {
  id: true,
  occurredAt: true,
  actorKind: true,
  actorId: true,
  actorDisplay: true,
  action: true,
  targetKind: true,
  targetDisplay: true,
  ip: true,
  userAgent: true,
  details: true,
} as const;

/**
 * The user's own account events of the last 90 days, newest first: factors added or removed,
 * password changed or reset, email changed, MFA reset, roles changed, reset links issued, and who
 * did each.
 *
 * Every query is on an index (prisma/schema.prisma, AuditEvent): the first event of the window by
 * (occurredAt, id), then (targetId, id) for events about the account and (actorId, id) for the
 * factor events the user made, both bounded below by that id, so neither scans the user's whole
 * history nor anyone else's.
 */
export async function recentSecurityActivity(
  actor: UserPrincipal,
  now = new Date(),
): Promise<SecurityActivityItem[]> {
  const since = new Date(now.getTime() - ACTIVITY_DAYS * 86_400_000);
  const first = await db.auditEvent.findFirst({
    where: { occurredAt: { gte: since } },
    orderBy: [{ occurredAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  if (!first) return [];
  const window = { gte: first.id };
  const [aboutAccount, ownFactors] = await Promise.all([
    db.auditEvent.findMany({
      where: {
        targetId: actor.userId,
        id: window,
        action: { in: ACCOUNT_TARGET_ACTIONS },
        outcome: "success",
      },
      orderBy: { id: "desc" },
      take: ACTIVITY_LIMIT,
      select,
    }),
    db.auditEvent.findMany({
      where: { actorId: actor.userId, id: window, action: { in: OWN_FACTOR_ACTIONS }, outcome: "success" },
      orderBy: { id: "desc" },
      take: ACTIVITY_LIMIT,
      select,
    }),
  ]);
  const rows: Row[] = [...aboutAccount, ...ownFactors]
    .sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, ACTIVITY_LIMIT);

  // Administrators by their current name (their email when the account is gone): the person, as
  // the user knows them.
  const otherUserIds = [
    ...new Set(
      rows
        .filter((r) => r.actorKind === "user" && r.actorId && r.actorId !== actor.userId)
        .map((r) => r.actorId),
    ),
  ].filter((id): id is string => id !== null);
  const names = new Map(
    (await db.user.findMany({ where: { id: { in: otherUserIds } }, select: { id: true, name: true } })).map(
      (u) => [u.id, u.name],
    ),
  );

  return rows.map((row) => {
    const { title, detail } = describeSecurityEvent(row);
    // A reset through a link is recorded as the account itself: whoever held the link did it.
    const byYou =
      row.actorKind === "user" && row.actorId === actor.userId && row.action !== "user.password_reset";
    return {
      id: row.id.toString(),
      at: row.occurredAt,
      title,
      detail,
      by: byYou
        ? "You"
        : row.action === "user.password_reset"
          ? "Whoever held the reset link"
          : actorLabel(row, names),
      byYou,
      from: byYou
        ? [row.userAgent ? describeUserAgent(row.userAgent) : "", row.ip ?? ""].filter(Boolean).join(" · ")
        : "",
    };
  });
}

function actorLabel(row: Row, names: Map<string | null, string>): string {
  switch (row.actorKind) {
    case "user":
      return names.get(row.actorId) ?? row.actorDisplay ?? "Another user";
    case "token":
      return `API token ${row.actorDisplay ?? ""}`.trim();
    case "client":
      return `API client ${row.actorDisplay ?? ""}`.trim();
    case "system":
      return "An operator (command line)";
    default:
      return row.action === "user.password_reset_requested"
        ? "Someone on the “Forgot your password?” page"
        : "Whoever held the link";
  }
}
