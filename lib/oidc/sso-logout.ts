import { db } from "../db/client.ts";
import { revokeGrant } from "./adapter.ts";
import { currentProvider } from "./mount.ts";

type BackchannelClient = {
  backchannelLogoutUri?: string;
  backchannelLogout(sub: string, sid: string): Promise<void>;
};
type Authorizations = Record<string, { sid?: string; grantId?: string; persistsLogout?: boolean }>;

/**
 * Signing out of Keyward signs the user out of the apps too (issue 15 §4, ADR 0012): for every
 * provider session bound to the Keyward session, each app it signed in to that registered a
 * back-channel logout URI is told (OpenID Connect Back-Channel Logout 1.0: a logout token naming
 * the user and the session's `sid`); the grants that do not outlive a logout (no offline access)
 * are revoked with what they issued; the provider sessions go. An app that cannot be reached is
 * logged, never an error of the sign-out.
 */
export async function endAppSessions(sessionId: string): Promise<number> {
  const rows = await db.oidcPayload.findMany({
    where: { model: "Session", sessionId },
    select: { idHash: true, payload: true, accountId: true },
  });
  if (rows.length === 0) return 0;
  const provider = await currentProvider();
  let told = 0;
  for (const row of rows) {
    const authorizations = ((row.payload as { authorizations?: Authorizations }).authorizations ??
      {}) as Authorizations;
    await Promise.all(
      Object.entries(authorizations).map(async ([clientId, authorization]) => {
        const client = (await provider.Client.find(clientId)) as BackchannelClient | undefined;
        if (client?.backchannelLogoutUri && row.accountId && authorization.sid) {
          try {
            await client.backchannelLogout(row.accountId, authorization.sid);
            told++;
          } catch (error) {
            console.warn(`[sso] back-channel logout to ${clientId} failed: ${(error as Error).message}`);
          }
        }
        if (authorization.grantId && !authorization.persistsLogout) await revokeGrant(authorization.grantId);
      }),
    );
  }
  await db.oidcPayload.deleteMany({ where: { model: "Session", sessionId } });
  return told;
}

/**
 * Keyward sessions ended otherwise than by their own Sign out (an administrator ending one or all,
 * a disabled account, a password change or reset, an MFA reset, the user deleted): the apps those
 * sessions signed in to hear it by back-channel too, as at a sign-out. Called once the ending has
 * committed; a failure here is logged, never the ending's: the sessions have ended either way, and
 * the provider sessions bound to them no longer stand (lib/oidc/adapter.ts).
 */
export async function appsHearSessionsEnded(scope: { userId: string } | "everyone"): Promise<number> {
  try {
    const bound = await db.oidcPayload.findMany({
      where: {
        model: "Session",
        sessionId: { not: null },
        ...(scope === "everyone" ? {} : { accountId: scope.userId }),
      },
      select: { sessionId: true },
      distinct: ["sessionId"],
    });
    const ids = bound.map((row) => row.sessionId ?? "");
    if (ids.length === 0) return 0;
    const live = await db.session.findMany({
      where: { id: { in: ids }, revokedAt: null, expiresAt: { gt: new Date() } },
      select: { id: true },
    });
    const standing = new Set(live.map((session) => session.id));
    let told = 0;
    // A session deleted with its user has ended too.
    for (const id of ids) if (!standing.has(id)) told += await endAppSessions(id);
    return told;
  } catch (error) {
    console.error(`[sso] could not sign apps out of ended sessions: ${(error as Error).message}`);
    return 0;
  }
}
