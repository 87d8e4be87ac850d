import type { RiskKey, RiskTargetKind } from "./risks.ts";

/**
 * Each risk list as a SQL condition on one row of its table, so that one scan of the table counts
 * every list at once (`count(*) FILTER (WHERE …)`) and the list page reads the same condition.
 * The conditions name their parameters `p.<name>`; `bindRiskParams` (risk-params.ts) turns them into
 * the query's first placeholders:
 *   p.now, p.idle_before (now − idle days), p.rotation_before (now − rotation age),
 *   p.dormant_before (now − dormant days), p.soon (now + 7 days), p.use_since (the first day of the
 *   idle window per-permission use can judge: the later of now − idle days and the day counting began).
 * Aliases: t = "ApiToken", c = "ApiClient", u = "User".
 */
export type RiskTable = { table: string; alias: "t" | "c" | "u"; live: string };

export const RISK_TABLES: Record<RiskTargetKind, RiskTable> = {
  // A token that no longer works (revoked or expired) is not a risk any more.
  token: {
    table: `"ApiToken"`,
    alias: "t",
    live: `t."revokedAt" IS NULL AND (t."expiresAt" IS NULL OR t."expiresAt" > p.now)`,
  },
  client: { table: `"ApiClient"`, alias: "c", live: `c."disabledAt" IS NULL` },
  user: { table: `"User"`, alias: "u", live: "TRUE" },
};

// Set-based on purpose: an uncorrelated `x IN (SELECT …)` is one hashed subplan per query, where a
// correlated EXISTS would be an index probe per row of a 100,000-row scan (`npm run bench:overview`
// shows the difference). A correlated probe is kept only behind a CASE that few rows pass.
const HAS_FACTOR = `(u.id IN (SELECT f."userId" FROM "TotpFactor" f WHERE f."activatedAt" IS NOT NULL)
  OR u.id IN (SELECT w."userId" FROM "WebAuthnCredential" w))`;

/** Holds, through a role, one that requires MFA or a write permission of Keyward's (or everyone must). */
const NEEDS_FACTOR = `(p.mfa_for_all OR u.id IN (
  SELECT ra."userId" FROM "RoleAssignment" ra JOIN "Role" r ON r.id = ra."roleId"
  WHERE r."requiresMfa" OR r.id IN (
    SELECT rp."roleId" FROM "RolePermission" rp JOIN "ApiPermission" ap ON ap.id = rp."permissionId"
    WHERE ap."apiId" = 'api_keyward' AND ap.name LIKE '%.write')))`;

/**
 * Over-scoped: judged only once the window is whole (the credential and the counting both older
 * than the idle period), used something in it (else it is idle: revoke, not narrow) and holds a
 * permission it did not use. Each grant carries its last day of use (`lastUsedOn`, written by the
 * batched flush), so this is two passes over the grants, not a match against every daily count.
 */
const overScoped = (alias: "t" | "c", grants: string, column: string) =>
  `(${alias}."createdAt" <= p.idle_before AND p.counting_since <= p.idle_before
  AND ${alias}.id IN (SELECT g."${column}" FROM "${grants}" g WHERE g."lastUsedOn" >= p.use_since)
  AND ${alias}.id IN (SELECT g."${column}" FROM "${grants}" g WHERE g."lastUsedOn" IS NULL OR g."lastUsedOn" < p.use_since))`;

/** Every secret of the client ends, and the last one within 7 days: it stops getting tokens then. */
const CLIENT_EXPIRING = `c.id IN (SELECT s."clientId" FROM "ApiClientSecret" s GROUP BY 1
  HAVING bool_and(s."expiresAt" IS NOT NULL) AND max(s."expiresAt") > p.now AND max(s."expiresAt") <= p.soon)`;

export const RISK_CONDITIONS: Record<RiskKey, string> = {
  "mfa.missing": `(u.status = 'active' AND NOT ${HAS_FACTOR} AND ${NEEDS_FACTOR})`,
  "accounts.dormant": `(u.status = 'active' AND COALESCE(u."lastSignInAt", u."createdAt") <= p.dormant_before)`,
  "accounts.invitation_expired": `(CASE WHEN u.status = 'invited' THEN NOT EXISTS (
    SELECT 1 FROM "OneTimeCode" o WHERE o."userId" = u.id AND o.purpose = 'invitation' AND o."usedAt" IS NULL
      AND o."revokedAt" IS NULL AND o."expiresAt" > p.now) ELSE FALSE END)`,
  "accounts.disabled_with_credentials": `(CASE WHEN u.status = 'disabled' THEN (
    EXISTS (SELECT 1 FROM "ApiToken" t WHERE t."userId" = u.id AND t."revokedAt" IS NULL AND (t."expiresAt" IS NULL OR t."expiresAt" > p.now))
    OR u.id IN (SELECT c."ownerId" FROM "ApiClient" c WHERE c."disabledAt" IS NULL)) ELSE FALSE END)`,
  "tokens.never_used": `(t."lastUsedAt" IS NULL AND t."createdAt" <= p.idle_before)`,
  "tokens.idle": `(t."lastUsedAt" <= p.idle_before)`,
  "tokens.no_expiry": `(t."expiresAt" IS NULL)`,
  "tokens.expiring": `(t."expiresAt" <= p.soon)`,
  "tokens.secret_old": `t.id IN (SELECT s."tokenId" FROM "ApiTokenSecret" s WHERE s."expiresAt" IS NULL AND s."createdAt" <= p.rotation_before)`,
  "tokens.over_scoped": overScoped("t", "ApiTokenPermission", "tokenId"),
  "clients.never_used": `(c."lastUsedAt" IS NULL AND c."createdAt" <= p.idle_before)`,
  "clients.idle": `(c."lastUsedAt" <= p.idle_before)`,
  "clients.no_expiry": `c.id IN (SELECT s."clientId" FROM "ApiClientSecret" s WHERE s."expiresAt" IS NULL)`,
  "clients.expiring": CLIENT_EXPIRING,
  "clients.secret_old": `NOT (c.id IN (SELECT s."clientId" FROM "ApiClientSecret" s WHERE s."createdAt" > p.rotation_before))`,
  "clients.orphaned": `(c."ownerId" IS NULL OR c."ownerId" IN (SELECT o.id FROM "User" o WHERE o.status = 'disabled'))`,
  "clients.over_scoped": overScoped("c", "ApiClientPermission", "clientId"),
};

/** The date each list is about, shown beside the item and used to order the list (oldest first). */
export const RISK_AT: Record<RiskKey, string> = {
  "mfa.missing": `u."createdAt"`,
  "accounts.dormant": `COALESCE(u."lastSignInAt", u."createdAt")`,
  "accounts.invitation_expired": `(SELECT max(o."expiresAt") FROM "OneTimeCode" o WHERE o."userId" = u.id AND o.purpose = 'invitation')`,
  "accounts.disabled_with_credentials": `u."updatedAt"`,
  "tokens.never_used": `t."createdAt"`,
  "tokens.idle": `t."lastUsedAt"`,
  "tokens.no_expiry": `t."createdAt"`,
  "tokens.expiring": `t."expiresAt"`,
  "tokens.secret_old": `(SELECT max(s."createdAt") FROM "ApiTokenSecret" s WHERE s."tokenId" = t.id)`,
  "tokens.over_scoped": `t."lastUsedAt"`,
  "clients.never_used": `c."createdAt"`,
  "clients.idle": `c."lastUsedAt"`,
  "clients.no_expiry": `c."createdAt"`,
  "clients.expiring": `(SELECT max(s."expiresAt") FROM "ApiClientSecret" s WHERE s."clientId" = c.id)`,
  "clients.secret_old": `(SELECT max(s."createdAt") FROM "ApiClientSecret" s WHERE s."clientId" = c.id)`,
  "clients.orphaned": `c."updatedAt"`,
  "clients.over_scoped": `c."lastUsedAt"`,
};

/**
 * An item under a live acceptance is hidden; it comes back at `until` whether or not a job noticed.
 * `risk` is a key of the closed table in risks.ts (never input), so it may be inlined.
 */
export function notAccepted(risk: RiskKey, alias: string): string {
  return `NOT (${alias}.id IN (SELECT a."targetId" FROM "RiskAcceptance" a WHERE a.risk = '${risk}'
    AND a."revokedAt" IS NULL AND a.until > p.now))`;
}
