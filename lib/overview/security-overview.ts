import { AUDIT_ACTIONS } from "../audit/actions.ts";
import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { Forbidden } from "../errors/app-error.ts";
import { can } from "../policy/authorize.ts";
import { AREAS } from "../policy/navigation.ts";
import { getSettings } from "../settings/settings.ts";
import { dailySeries } from "./daily-metrics.ts";
import { mfaFigures } from "./mfa-figures.ts";
import type { OverviewResource } from "./overview-schemas.ts";
import { riskCounts, visibleRisks } from "./risk-lists.ts";
import { riskWindow } from "./risk-params.ts";
import { cachedFigures } from "./figures-cache.ts";
import { RISK_KEYS, RISKS } from "./risks.ts";
import { signInHealth } from "./sign-in-health.ts";

const DAY_MS = 86_400_000;

/** Whoever holds one of these sees the overview (each card needs its own): its area's rule. */
const OVERVIEW_PERMISSIONS = AREAS.find((area) => area.href === "/overview")?.anyOf ?? [];

export function maySeeOverview(principal: Principal): boolean {
  return OVERVIEW_PERMISSIONS.some((permission) => can(principal, permission));
}

/** What counts as an administrative change on the overview: changes to who may do what, not sign-ins. */
const ADMIN_PREFIXES = [
  "user.",
  "role.",
  "settings.",
  "client.",
  "token.",
  "api.",
  "api_permission.",
  "resource_server_credential.",
  "app.",
  "risk.",
  "mfa.reset",
];
const NOT_ADMIN = new Set([
  "app.sign_in",
  "app.consent_given",
  "app.consent_declined",
  "app.consent_revoked",
]);

const ADMIN_ACTIONS = AUDIT_ACTIONS.filter(
  (action) => ADMIN_PREFIXES.some((prefix) => action.startsWith(prefix)) && !NOT_ADMIN.has(action),
);

async function recentChanges(): Promise<OverviewResource["recentChanges"]> {
  const rows = await db.auditEvent.findMany({
    where: {
      action: { in: ADMIN_ACTIONS },
      outcome: "success",
      actorKind: { in: ["user", "token", "client"] },
    },
    orderBy: { id: "desc" },
    take: 8,
    select: { id: true, occurredAt: true, action: true, actorDisplay: true, targetDisplay: true },
  });
  return rows.map((row) => ({
    id: row.id.toString(),
    occurredAt: row.occurredAt.toISOString(),
    action: row.action,
    actor: row.actorDisplay,
    target: row.targetDisplay,
  }));
}

async function signingKeys(rotationDays: number, now: Date): Promise<OverviewResource["signingKeys"]> {
  const active = await db.signingKey.findFirst({
    where: { retiredAt: null },
    orderBy: { createdAt: "asc" },
    select: { createdAt: true },
  });
  return {
    activeSince: active ? active.createdAt.toISOString() : null,
    ageDays: active ? Math.floor((now.getTime() - active.createdAt.getTime()) / DAY_MS) : 0,
    rotationDays,
  };
}

/**
 * The security overview for one principal: each part only for holders of the read permission it
 * draws on (users.read: MFA, accounts; tokens.read / clients.read: credentials; audit.read: sign-in
 * health and recent changes). The queries run in parallel; none is a write.
 */
export async function securityOverview(principal: Principal, now = new Date()): Promise<OverviewResource> {
  if (!maySeeOverview(principal)) throw Forbidden();
  const window = await riskWindow(now);
  const settings = await getSettings(db);
  const risks = visibleRisks(principal);
  const users = can(principal, "users.read");
  const audit = can(principal, "audit.read");
  const credentials = can(principal, "tokens.read") || can(principal, "clients.read");
  // Every list's count and MFA adoption, for everyone, shared while fresh (figures-cache.ts);
  // each principal sees the parts they may read.
  const key = [
    window.idleDays,
    window.rotationDays,
    window.dormantDays,
    window.mfaForAll,
    window.countingSince.getTime(),
  ].join(":");
  const [figures, keys, health, changes, daily] = await Promise.all([
    cachedFigures(key, async () => {
      const [all, adoption] = await Promise.all([riskCounts(RISK_KEYS, window), mfaFigures()]);
      return { counts: all, mfa: adoption, at: new Date() };
    }),
    credentials ? signingKeys(settings.signingKeyRotationDays, now) : null,
    audit ? signInHealth(now) : null,
    audit ? recentChanges() : null,
    users || audit ? dailySeries(30, now) : [],
  ]);
  const { counts } = figures;
  const mfa = users ? figures.mfa : null;
  return {
    // When the counts were made (at most FRESH_MS ago, or since the last change).
    generatedAt: figures.at.toISOString(),
    window: { idleDays: window.idleDays, rotationDays: window.rotationDays, dormantDays: window.dormantDays },
    risks: risks.map((risk) => ({
      risk,
      label: RISKS[risk].label,
      count: counts[risk] ?? 0,
      targetKind: RISKS[risk].targetKind,
    })),
    mfa: mfa ? { ...mfa, share: mfa.activeUsers === 0 ? 0 : mfa.withFactor / mfa.activeUsers } : null,
    signingKeys: keys,
    signIns: health,
    recentChanges: changes,
    daily: daily.map((point) => ({
      day: point.day,
      ...(audit ? { signIns: point.signIns, failures: point.failures } : {}),
      ...(users ? { mfaUsers: point.mfaUsers, activeUsers: point.activeUsers } : {}),
    })),
  };
}
