import type { AuditActor } from "../audit/actions.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { RequestContext } from "../auth/principal.ts";
import { credentialsChanged } from "../credentials/change-feed.ts";
import { db } from "../db/client.ts";
import { OAuthError } from "../oauth/oauth-error.ts";
import { revokeGrant } from "./adapter.ts";
import { isDelegatedToken, verifiedDelegatedClaims } from "./introspect-delegated.ts";
import { currentProvider } from "./mount.ts";

type App = { appId: string; appName: string };

/**
 * RFC 7009 for what the OpenID provider issued to an app, at Keyward's one revocation endpoint
 * (ADR 0012: the library's own is off): a refresh token ends its whole grant (§2.1: the access
 * tokens of the same grant go too); a UserInfo access token ends; a delegated JWT goes on the
 * deny-list until it would have expired. Only the app it was issued to may; anything unknown is
 * 200 all the same.
 */
export async function revokeForApp(app: App, token: string, context: RequestContext): Promise<void> {
  const actor: AuditActor = { kind: "client", id: app.appId, display: app.appName };
  const mine = (clientId: string | undefined) => {
    if (clientId !== app.appId) {
      throw new OAuthError("unauthorized_client", "This token was not issued to the client revoking it.");
    }
  };
  if (isDelegatedToken(token)) {
    const claims = await verifiedDelegatedClaims(token);
    if (!claims) return;
    mine(claims.client_id);
    await db.$transaction(async (tx) => {
      const { count } = await tx.revokedJwt.createMany({
        data: [{ jti: claims.jti, expiresAt: new Date(claims.exp * 1000) }],
        skipDuplicates: true,
      });
      if (count === 0) return;
      await credentialsChanged(tx, [`jti:${claims.jti}`]);
      await recordAudit(tx, {
        action: "oauth.token_revoked",
        actor,
        target: { kind: "access_token", id: claims.jti },
        context,
        details: { kind: "delegated", expiresAt: new Date(claims.exp * 1000).toISOString() },
      });
    });
    return;
  }
  if (token.length > 512) return;
  const provider = await currentProvider();
  const refresh = await provider.RefreshToken.find(token);
  const access = refresh ? undefined : await provider.AccessToken.find(token);
  const found = refresh ?? access;
  if (!found) return;
  mine(found.clientId);
  if (refresh?.grantId) await revokeGrant(refresh.grantId);
  else await found.destroy();
  await db.$transaction((tx) =>
    recordAudit(tx, {
      action: "oauth.token_revoked",
      actor,
      target: { kind: "app", id: app.appId, display: app.appName },
      context,
      details: { kind: refresh ? "refresh_token" : "userinfo_access_token", grantRevoked: Boolean(refresh) },
    }),
  );
}
