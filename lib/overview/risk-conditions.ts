import type { RiskKey, RiskTargetKind } from "./risks.ts";

/**
 * Each risk list as a SQL condition on one row of its table, so that one scan of the table counts
 * every list at once (`count(*) FILTER (WHERE …)`) and the list page reads the same condition.
 * The conditions read the parameters of the `p` row that every query joins (`riskParams`):
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

const HAS_FACTOR = `(EXISTS (SELECT 1 FROM "TotpFactor" f WHERE f."userId" = u.id AND f."activatedAt" IS NOT NULL)
  OR EXISTS (SELECT 1 FROM "WebAuthnCredential" w WHERE w."userId" = u.id))`;

/** Holds, through a role, one that requires MFA or a write permission of Keyward's (or everyone must). */
const NEEDS_FACTOR = `(p.mfa_for_all OR EXISTS (
  SELECT 1 FROM "RoleAssignment" ra JOIN "Role" r ON r.id = ra."roleId"
  WHERE ra."userId" = u.id AND (r."requiresMfa" OR EXISTS (
    SELECT 1 FROM "RolePermission" rp JOIN "ApiPermission" ap ON ap.id = rp."permissionId"
    WHERE rp."roleId" = r.id AND ap."apiId" = 'api_keyward' AND ap.name LIKE '%.write'))))`;

/**
 * Over-scoped: judged only once the window is whole (the credential and the counting both older
 * than the idle period), used something in it (else it is idle: revoke, not narrow) and holds a
 * permission it did not use.
 */
const overScoped = (alias: "t" | "c", grants: string, uses: string, column: string) =>
  `(${alias}."createdAt" <= p.idle_before AND p.counting_since <= p.idle_before
  AND EXISTS (SELECT 1 FROM "${uses}" x WHERE x."${column}" = ${alias}.id AND x.day >= p.use_since)
  AND EXISTS (SELECT 1 FROM "${grants}" g WHERE g."${column}" = ${alias}.id AND NOT EXISTS (
    SELECT 1 FROM "${uses}" x WHERE x."${column}" = ${alias}.id AND x."permissionId" = g."permissionId" AND x.day >= p.use_since)))`;

/** Every secret of the client ends, and the last one within 7 days: it stops getting tokens then. */
const CLIENT_EXPIRING = `(NOT EXISTS (SELECT 1 FROM "ApiClientSecret" s WHERE s."clientId" = c.id AND (s."expiresAt" IS NULL OR s."expiresAt" > p.soon))
  AND EXISTS (SELECT 1 FROM "ApiClientSecret" s WHERE s."clientId" = c.id AND s."expiresAt" > p.now))`;

export const RISK_CONDITIONS: Record<RiskKey, string> = {
  "mfa.missing": `(u.status = 'active' AND NOT ${HAS_FACTOR} AND ${NEEDS_FACTOR})`,
  "accounts.dormant": `(u.status = 'active' AND COALESCE(u."lastSignInAt", u."createdAt") <= p.dormant_before)`,
  "accounts.invitation_expired": `(u.status = 'invited' AND NOT EXISTS (
    SELECT 1 FROM "OneTimeCode" o WHERE o."userId" = u.id AND o.purpose = 'invitation' AND o."usedAt" IS NULL
      AND o."revokedAt" IS NULL AND o."expiresAt" > p.now))`,
  "accounts.disabled_with_credentials": `(u.status = 'disabled' AND (
    EXISTS (SELECT 1 FROM "ApiToken" t WHERE t."userId" = u.id AND t."revokedAt" IS NULL AND (t."expiresAt" IS NULL OR t."expiresAt" > p.now))
    OR EXISTS (SELECT 1 FROM "ApiClient" c WHERE c."ownerId" = u.id AND c."disabledAt" IS NULL)))`,
  "tokens.never_used": `(t."lastUsedAt" IS NULL AND t."createdAt" <= p.idle_before)`,
  "tokens.idle": `(t."lastUsedAt" <= p.idle_before)`,
  "tokens.no_expiry": `(t."expiresAt" IS NULL)`,
  "tokens.expiring": `(t."expiresAt" <= p.soon)`,
  "tokens.secret_old": `EXISTS (SELECT 1 FROM "ApiTokenSecret" s WHERE s."tokenId" = t.id AND s."expiresAt" IS NULL AND s."createdAt" <= p.rotation_before)`,
  "tokens.over_scoped": overScoped("t", "ApiTokenPermission", "ApiTokenPermissionUse", "tokenId"),
  "clients.never_used": `(c."lastUsedAt" IS NULL AND c."createdAt" <= p.idle_before)`,
  "clients.idle": `(c."lastUsedAt" <= p.idle_before)`,
  "clients.no_expiry": `EXISTS (SELECT 1 FROM "ApiClientSecret" s WHERE s."clientId" = c.id AND s."expiresAt" IS NULL)`,
  "clients.expiring": CLIENT_EXPIRING,
  "clients.secret_old": `NOT EXISTS (SELECT 1 FROM "ApiClientSecret" s WHERE s."clientId" = c.id AND s."createdAt" > p.rotation_before)`,
  "clients.orphaned": `(c."ownerId" IS NULL OR EXISTS (SELECT 1 FROM "User" o WHERE o.id = c."ownerId" AND o.status = 'disabled'))`,
  "clients.over_scoped": overScoped("c", "ApiClientPermission", "ApiClientPermissionUse", "clientId"),
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

/** An item under a live acceptance is hidden; it comes back at `until` whether or not a job noticed. */
export function notAccepted(risk: RiskKey, alias: string): string {
  return `NOT EXISTS (SELECT 1 FROM "RiskAcceptance" a WHERE a.risk = '${risk}' AND a."targetId" = ${alias}.id
    AND a."revokedAt" IS NULL AND a.until > p.now)`;
}
