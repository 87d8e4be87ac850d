import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { assertFreshSession, assertRecentAuth } from "../auth/step-up.ts";
import { sha256Hex } from "../crypto/hash.ts";
import { db } from "../db/client.ts";
import { Forbidden, NotFound } from "../errors/app-error.ts";
import { authorize } from "../policy/authorize.ts";
import { assertCanManageUser } from "../users/admin-guard.ts";
import { granted, mergeGranted, type GrantPayload } from "./grant-payload.ts";
import { describeScopes } from "./scope-descriptions.ts";

/**
 * My account → Connected apps (issue 15: consent "once, remembered, revocable"). An app a user has
 * signed in to through Keyward holds the provider's Grant of what they allowed (OidcPayload rows of
 * model "Grant", by account and client), and its codes, refresh tokens and UserInfo access tokens
 * name that grant. Revoking deletes the grants and everything they issued, so the app's next
 * refresh is `invalid_grant`, its delegated access tokens stop verifying, and a third-party app
 * asks for consent again at its next sign-in.
 */
export type ConnectedApp = {
  /** The application's id, also its OAuth client_id. */
  id: string;
  name: string;
  logoUrl: string | null;
  homepageUrl: string | null;
  /** The organization's own app: its sign-ins ask no consent (a grant is still kept). */
  firstParty: boolean;
  disabled: boolean;
  /** When the oldest live grant was first given. */
  allowedAt: Date;
  /**
   * When the app last used what it was allowed (a sign-in, a token exchange or refresh, UserInfo,
   * an API's introspection of its tokens), to the minute; null when not since this was recorded.
   */
  lastUsedAt: Date | null;
  /** What it was allowed, in the consent screen's words. */
  allowed: string[];
  /** It holds a live refresh token: it can stay signed in while the user is away. */
  refreshTokens: boolean;
};

/** The OpenID scopes in the order the consent screen lists them; any other after, as met. */
const OIDC_ORDER = ["openid", "profile", "email", "offline_access"];

/** Not past its expiry (the adapter's `find` rule); rows without one do not expire. */
const live = (now: Date) => ({ OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] });

function ordered(scopes: Iterable<string>): string[] {
  const rank = (scope: string) => {
    const at = OIDC_ORDER.indexOf(scope);
    return at === -1 ? OIDC_ORDER.length : at;
  };
  return [...scopes].sort((a, b) => rank(a) - rank(b));
}

/** Whose apps a caller reads: their own, as a session or a personal token; an API client has none. */
function ownUserId(principal: Principal): string {
  if (principal.kind === "client") throw Forbidden("An API client has no connected apps: it is not a user.");
  return principal.userId;
}

/**
 * The caller's own live grants, one entry per application, by name. Grants of an app since
 * deleted are left out: no client answers for them, so they can issue nothing.
 */
export async function listConnectedApps(principal: Principal, now = new Date()): Promise<ConnectedApp[]> {
  return appsOf(ownUserId(principal), now);
}

/**
 * A user's connected apps as an administrator sees them (issue 15 §6: "administrators see a
 * user's app sessions and end them"), with `users.read`.
 */
export async function listUserApps(
  actor: Principal,
  userId: string,
  now = new Date(),
): Promise<ConnectedApp[]> {
  authorize(actor, "users.read");
  if (!(await db.user.findUnique({ where: { id: userId }, select: { id: true } }))) throw NotFound("user");
  return appsOf(userId, now);
}

async function appsOf(userId: string, now: Date): Promise<ConnectedApp[]> {
  const [grants, refreshTokens] = await Promise.all([
    db.oidcPayload.findMany({
      where: { model: "Grant", accountId: userId, clientId: { not: null }, ...live(now) },
      select: { idHash: true, clientId: true, createdAt: true, lastUsedAt: true, payload: true },
      orderBy: { createdAt: "asc" },
    }),
    db.oidcPayload.findMany({
      where: {
        model: "RefreshToken",
        accountId: userId,
        consumedAt: null,
        grantId: { not: null },
        ...live(now),
      },
      select: { grantId: true },
    }),
  ]);
  if (grants.length === 0) return [];
  // A grant row is keyed by the SHA-256 of its id; its tokens carry the id itself.
  const withRefresh = new Set(refreshTokens.map((token) => sha256Hex(token.grantId ?? "")));
  const apps = await db.application.findMany({
    where: { id: { in: [...new Set(grants.map((grant) => grant.clientId ?? ""))] } },
    select: { id: true, name: true, logoUrl: true, homepageUrl: true, firstParty: true, disabledAt: true },
  });
  const byApp = Map.groupBy(grants, (grant) => grant.clientId ?? "");
  const out: ConnectedApp[] = [];
  for (const app of apps) {
    const rows = byApp.get(app.id);
    const first = rows?.[0];
    if (!rows || !first) continue;
    const holds = mergeGranted(rows.map((grant) => granted(grant.payload as GrantPayload)));
    const used = rows.flatMap((grant) => (grant.lastUsedAt ? [grant.lastUsedAt.getTime()] : []));
    out.push({
      id: app.id,
      name: app.name,
      logoUrl: app.logoUrl,
      homepageUrl: app.homepageUrl,
      firstParty: app.firstParty,
      disabled: app.disabledAt !== null,
      // Ordered oldest first: the first grant is when the user first allowed the app.
      allowedAt: first.createdAt,
      lastUsedAt: used.length > 0 ? new Date(Math.max(...used)) : null,
      allowed: await describeScopes(ordered(holds.oidc), holds.resources),
      refreshTokens: rows.some((grant) => withRefresh.has(grant.idHash)),
    });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Takes back everything the signed-in user allowed one app: every grant of theirs for it and what
 * those grants issued (codes, refresh tokens, UserInfo access tokens), in one statement with its
 * audit event. Only a person at a browser, within the step-up window, as for ending one of one's
 * sessions; only their own grants, whatever id is named. Returns how many grants ended; an app
 * they have no live grant for (or none at all) is not_found.
 */
export async function revokeConnectedApp(input: {
  principal: Principal;
  appId: string;
  context: RequestContext;
}): Promise<number> {
  const principal = await assertFreshSession(input.principal);
  return takeBack({ actor: principal, userId: principal.userId, appId: input.appId, context: input.context });
}

/**
 * An administrator ends a user's use of one app (`users.write`, step-up, a user they may manage):
 * the same as the user's own revocation, audited as the administrator's with the user named.
 */
export async function endUserApp(input: {
  actor: Principal;
  userId: string;
  appId: string;
  context: RequestContext;
}): Promise<number> {
  authorize(input.actor, "users.write");
  await assertRecentAuth(input.actor);
  await assertCanManageUser(db, input.actor, input.userId);
  return takeBack(input);
}

async function takeBack(input: {
  actor: Principal;
  userId: string;
  appId: string;
  context: RequestContext;
}): Promise<number> {
  const { userId } = input;
  const byOther = input.actor.kind !== "user" || input.actor.userId !== userId;
  return db.$transaction(async (tx) => {
    const now = new Date();
    const app = await tx.application.findUnique({
      where: { id: input.appId },
      select: { id: true, name: true },
    });
    const ended = app
      ? await tx.oidcPayload.count({
          where: { model: "Grant", accountId: userId, clientId: app.id, ...live(now) },
        })
      : 0;
    if (!app || ended === 0) throw NotFound("connected app");
    // The grants' ids, as their tokens carry them, so that a row naming one of these grants goes
    // too even where it holds no account or client (what revokeGrant deletes, for every grant).
    const issued = await tx.oidcPayload.findMany({
      where: { accountId: userId, clientId: app.id, grantId: { not: null } },
      select: { grantId: true },
      distinct: ["grantId"],
    });
    const grantIds = issued.map((row) => row.grantId ?? "").filter(Boolean);
    await tx.oidcPayload.deleteMany({
      where: {
        OR: [
          // Whatever this user gave this app: grants, codes, refresh and access tokens.
          { accountId: userId, clientId: app.id },
          ...(grantIds.length > 0 ? [{ grantId: { in: grantIds } }] : []),
        ],
      },
    });
    await recordAudit(tx, {
      action: "app.consent_revoked",
      actor: auditActor(input.actor),
      target: { kind: "app", id: app.id, display: app.name },
      context: input.context,
      details: { grants: ended, ...(byOther ? { userId } : {}) },
    });
    return ended;
  });
}
