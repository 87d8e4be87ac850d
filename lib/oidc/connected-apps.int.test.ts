import { randomBytes } from "node:crypto";

import Provider from "oidc-provider";
import { describe, expect, it } from "vitest";

import type { TokenPrincipal, UserPrincipal } from "@/lib/auth/principal";
import { db } from "@/lib/db/client";
import { makeApi } from "@/test/api-factories";
import { makeApp } from "@/test/app-factories";
import { codeOf, makePrincipal, present, TEST_CONTEXT } from "@/test/factories";

import { OidcAdapter } from "./adapter.ts";
import { endUserApp, listConnectedApps, listUserApps, revokeConnectedApp } from "./connected-apps.ts";

/**
 * Guarantee (issue 15: consent "once, remembered, revocable"; "revoking consent stops refresh at
 * the next use"): My account → Connected apps lists the caller's own live grants, per app, in the
 * consent screen's words, saying whether the app can refresh; revoking ends every grant of that
 * user for that app and everything they issued, in one transaction with its audit event, and never
 * another user's. The grants and tokens are made by the library's own model classes over Keyward's
 * adapter, as the provider makes them.
 */
const provider = new Provider("http://localhost:3000", {
  adapter: OidcAdapter,
  features: { devInteractions: { enabled: false } },
});

const unique = () => randomBytes(4).toString("hex");

/** A grant of `scope` (and resource scopes) from `accountId` to the app, saved as the provider saves one. */
async function grantOf(
  accountId: string,
  appId: string,
  scope: string,
  resources: Record<string, string> = {},
): Promise<string> {
  const grant = new provider.Grant({ accountId, clientId: appId });
  grant.addOIDCScope(scope);
  for (const [indicator, scopes] of Object.entries(resources)) grant.addResourceScope(indicator, scopes);
  return grant.save();
}

/** What a code exchange leaves: a refresh token, a UserInfo access token and the (used) code. */
async function issued(accountId: string, appId: string, grantId: string) {
  const client = present(await provider.Client.find(appId));
  const common = { accountId, client, grantId, scope: "openid", gty: "authorization_code" };
  const refresh = await new provider.RefreshToken(common).save();
  const access = await new provider.AccessToken(common).save();
  const code = await new provider.AuthorizationCode({
    ...common,
    redirectUri: "https://portal.example.test/callback",
    codeChallenge: "x".repeat(43),
    codeChallengeMethod: "S256",
  }).save();
  return { refresh, access, code };
}

async function stillThere({ refresh, access, code }: Awaited<ReturnType<typeof issued>>) {
  return {
    refresh: (await provider.RefreshToken.find(refresh)) !== undefined,
    access: (await provider.AccessToken.find(access)) !== undefined,
    code: (await provider.AuthorizationCode.find(code)) !== undefined,
  };
}

const user = () => makePrincipal().then(({ principal }) => principal);
async function appNamed(label: string) {
  const name = `${label} ${unique()}`;
  const { app } = await makeApp({ name, logoUrl: "https://cdn.example.test/logo.png" });
  return { id: app.id, name };
}

describe("connected apps", () => {
  it("lists one's own live grants per app, in plain words, and which can refresh", async () => {
    const me = await user();
    const other = await user();
    const api = await makeApi({ name: `Orders API ${unique()}`, permissions: ["orders.read"] });
    const [portal, reports, expired] = await Promise.all([
      appNamed("Alpha portal"),
      appNamed("Beta reports"),
      appNamed("Gamma gone"),
    ]);
    // Two grants for the portal (two browsers): one with a refresh token, one asking for an API.
    const first = await grantOf(me.userId, portal.id, "openid email");
    await issued(me.userId, portal.id, first);
    await grantOf(me.userId, portal.id, "openid profile", { [api.identifier]: "orders.read" });
    // Reports: a grant whose only refresh token has been used (rotated away, nothing live).
    const second = await grantOf(me.userId, reports.id, "openid");
    const used = await issued(me.userId, reports.id, second);
    await new OidcAdapter("RefreshToken").consume(used.refresh);
    // Gamma: a grant that has expired is no connected app.
    await grantOf(me.userId, expired.id, "openid email");
    await db.oidcPayload.updateMany({
      where: { model: "Grant", accountId: me.userId, clientId: expired.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    // Someone else's grant for the same portal is theirs alone.
    await grantOf(other.userId, portal.id, "openid offline_access");

    const apps = await listConnectedApps(me);
    expect(apps.map((app) => app.id)).toEqual([portal.id, reports.id]);
    const [alpha, beta] = apps;
    expect(alpha).toMatchObject({
      name: portal.name,
      logoUrl: "https://cdn.example.test/logo.png",
      firstParty: false,
      disabled: false,
      refreshTokens: true,
      allowed: [
        "Know who you are (your Keyward account id)",
        "See your name",
        "See your email address",
        `${api.name}: May orders.read.`,
      ],
    });
    const grantRows = await db.oidcPayload.findMany({
      where: { model: "Grant", accountId: me.userId, clientId: portal.id },
      orderBy: { createdAt: "asc" },
    });
    expect(present(alpha).allowedAt).toEqual(present(grantRows[0]).createdAt);
    expect(beta).toMatchObject({
      refreshTokens: false,
      allowed: ["Know who you are (your Keyward account id)"],
    });

    const theirs = await listConnectedApps(other);
    expect(theirs).toHaveLength(1);
    expect(theirs[0]).toMatchObject({
      id: portal.id,
      refreshTokens: false,
      allowed: [
        "Know who you are (your Keyward account id)",
        "Stay signed in when you are away (refresh tokens)",
      ],
    });
  });

  it("revokes every grant of the user for the app and what they issued, with its audit event, and nobody else's", async () => {
    const me = await user();
    const other = await user();
    const portal = await appNamed("Portal");
    const kept = await appNamed("Kept");
    const mine = await Promise.all([
      grantOf(me.userId, portal.id, "openid email"),
      grantOf(me.userId, portal.id, "openid"),
    ]);
    const myTokens = await Promise.all(mine.map((grantId) => issued(me.userId, portal.id, grantId)));
    const theirGrant = await grantOf(other.userId, portal.id, "openid email");
    const theirTokens = await issued(other.userId, portal.id, theirGrant);
    const keptGrant = await grantOf(me.userId, kept.id, "openid");
    const keptTokens = await issued(me.userId, kept.id, keptGrant);

    const context = { ...TEST_CONTEXT, requestId: `revoke-${unique()}` };
    expect(await revokeConnectedApp({ principal: me, appId: portal.id, context })).toBe(2);

    for (const grantId of mine) expect(await provider.Grant.find(grantId)).toBeUndefined();
    for (const tokens of myTokens)
      expect(await stillThere(tokens)).toEqual({ refresh: false, access: false, code: false });
    expect(await db.oidcPayload.count({ where: { accountId: me.userId, clientId: portal.id } })).toBe(0);
    // The other user's grant for the same app, and my grant for another app, stand.
    expect(await provider.Grant.find(theirGrant)).toBeDefined();
    expect(await stillThere(theirTokens)).toEqual({ refresh: true, access: true, code: true });
    expect(await provider.Grant.find(keptGrant)).toBeDefined();
    expect(await stillThere(keptTokens)).toEqual({ refresh: true, access: true, code: true });
    expect((await listConnectedApps(me)).map((app) => app.id)).toEqual([kept.id]);
    expect((await listConnectedApps(other)).map((app) => app.id)).toEqual([portal.id]);

    const events = await db.auditEvent.findMany({ where: { requestId: context.requestId } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "app.consent_revoked",
      outcome: "success",
      actorKind: "user",
      actorId: me.userId,
      targetKind: "app",
      targetId: portal.id,
      targetDisplay: portal.name,
      details: { grants: 2 },
    });
  });

  it("is not_found for an unknown app, an app the user gave nothing, and a second revocation", async () => {
    const me = await user();
    const other = await user();
    const portal = await appNamed("Portal");
    const theirGrant = await grantOf(other.userId, portal.id, "openid");
    const context = { ...TEST_CONTEXT, requestId: `nf-${unique()}` };
    // Someone else's grant cannot be revoked by naming their app: I have none there.
    expect(await codeOf(revokeConnectedApp({ principal: me, appId: portal.id, context }))).toBe("not_found");
    expect(await provider.Grant.find(theirGrant)).toBeDefined();
    expect(
      await codeOf(revokeConnectedApp({ principal: me, appId: "app_missing0000000000000", context })),
    ).toBe("not_found");
    await grantOf(me.userId, portal.id, "openid");
    expect(await revokeConnectedApp({ principal: me, appId: portal.id, context })).toBe(1);
    expect(await codeOf(revokeConnectedApp({ principal: me, appId: portal.id, context }))).toBe("not_found");
    expect(await provider.Grant.find(theirGrant)).toBeDefined();
    // Refusals wrote nothing: the one success is the only event.
    expect(await db.auditEvent.count({ where: { requestId: context.requestId } })).toBe(1);
  });

  it("is a person's own act: a bearer credential cannot revoke, a stale session must step up, a client has no apps", async () => {
    const me = await user();
    const portal = await appNamed("Portal");
    const grantId = await grantOf(me.userId, portal.id, "openid");
    const token: TokenPrincipal = {
      kind: "token",
      tokenId: "tok_test",
      tokenName: "CLI",
      userId: me.userId,
      email: me.email,
      name: me.name,
      permissions: new Set(),
    };
    const context = TEST_CONTEXT;
    expect(await codeOf(revokeConnectedApp({ principal: token, appId: portal.id, context }))).toBe(
      "session_required",
    );
    const stale: UserPrincipal = { ...me, authTime: new Date(Date.now() - 6 * 3_600_000) };
    expect(await codeOf(revokeConnectedApp({ principal: stale, appId: portal.id, context }))).toBe(
      "step_up_required",
    );
    expect(await provider.Grant.find(grantId)).toBeDefined();
    // A personal token reads its owner's list; an API client is no user.
    expect((await listConnectedApps(token)).map((app) => app.id)).toEqual([portal.id]);
    expect(
      await codeOf(
        listConnectedApps({
          kind: "client",
          clientId: "cli_test",
          clientName: "Reporting",
          ownerId: me.userId,
          permissions: new Set(),
          jti: "jti",
          expiresAt: new Date(Date.now() + 60_000),
        }),
      ),
    ).toBe("forbidden");
  });

  it("lets an administrator see a user's apps and end one, audited as theirs; never beyond their permissions", async () => {
    const member = await user();
    const portal = await appNamed("Portal");
    const grantId = await grantOf(member.userId, portal.id, "openid email");
    const tokens = await issued(member.userId, portal.id, grantId);
    const { principal: admin } = await makePrincipal(["admin"]);
    expect((await listUserApps(admin, member.userId)).map((app) => app.id)).toEqual([portal.id]);
    // Reading needs users.read; ending needs users.write.
    const { principal: auditor } = await makePrincipal(["auditor"]);
    expect(await codeOf(listUserApps(member, admin.userId))).toBe("forbidden");
    expect(
      await codeOf(
        endUserApp({ actor: auditor, userId: member.userId, appId: portal.id, context: TEST_CONTEXT }),
      ),
    ).toBe("forbidden");
    // Nobody ends the apps of someone holding more than they do (an administrator, for a user manager).
    const { principal: manager } = await makePrincipal(["user_manager"]);
    const adminGrant = await grantOf(admin.userId, portal.id, "openid");
    expect(
      await codeOf(
        endUserApp({ actor: manager, userId: admin.userId, appId: portal.id, context: TEST_CONTEXT }),
      ),
    ).toBe("forbidden");
    expect(await provider.Grant.find(adminGrant)).toBeDefined();

    const context = { ...TEST_CONTEXT, requestId: `end-${unique()}` };
    expect(await endUserApp({ actor: admin, userId: member.userId, appId: portal.id, context })).toBe(1);
    expect(await stillThere(tokens)).toEqual({ refresh: false, access: false, code: false });
    expect(await listUserApps(admin, member.userId)).toEqual([]);
    const events = await db.auditEvent.findMany({ where: { requestId: context.requestId } });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      action: "app.consent_revoked",
      actorId: admin.userId,
      targetId: portal.id,
      details: { grants: 1, userId: member.userId },
    });
  });
});
