import type { Configuration } from "oidc-provider";

import { db } from "../db/client.ts";
import { granted, mergeGranted, type GrantPayload } from "./grant-payload.ts";

/**
 * The grant an authorization request continues (oidc-provider's `loadExistingGrant`). The library
 * keeps a grant's id in the browser's provider session only, so a user who consented to an app in
 * one browser would be asked again in every other one, and after every sign-out. Consent is the
 * user's, not the browser's (issue 15: "consent once, remembered, revocable"): without a grant in
 * this session, the user's live grants for the app are copied into a new one for it. Revoking the
 * app (lib/oidc/connected-apps.ts) deletes every grant, so the next sign-in asks again.
 */
export const loadExistingGrant: NonNullable<Configuration["loadExistingGrant"]> = async (ctx) => {
  const { provider, client, session } = ctx.oidc;
  if (!client || !session) return undefined;
  const grantId =
    (ctx.oidc.result as { consent?: { grantId?: string } } | undefined)?.consent?.grantId ??
    session.grantIdFor(client.clientId);
  if (grantId) return provider.Grant.find(grantId);
  const accountId = session.accountId;
  if (!accountId) return undefined;
  const now = new Date();
  const rows = await db.oidcPayload.findMany({
    where: {
      model: "Grant",
      accountId,
      clientId: client.clientId,
      OR: [{ expiresAt: null }, { expiresAt: { gt: now } }],
    },
    select: { payload: true },
  });
  if (rows.length === 0) return undefined;
  const remembered = mergeGranted(rows.map((row) => granted(row.payload as GrantPayload)));
  const grant = new provider.Grant({ accountId, clientId: client.clientId });
  if (remembered.oidc.length > 0) grant.addOIDCScope(remembered.oidc.join(" "));
  if (remembered.claims.length > 0) grant.addOIDCClaims(remembered.claims);
  for (const [identifier, scopes] of Object.entries(remembered.resources))
    grant.addResourceScope(identifier, scopes.join(" "));
  await grant.save();
  return grant;
};
