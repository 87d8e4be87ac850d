import { randomBytes } from "node:crypto";

import Provider from "oidc-provider";
import { describe, expect, it } from "vitest";

import { createApp, setAppDisabled } from "@/lib/apps/manage-apps";
import { sha256Hex } from "@/lib/crypto/hash";
import { db } from "@/lib/db/client";
import { appRegistration, makeApp } from "@/test/app-factories";
import { revokeSession } from "@/lib/auth/sessions";
import { makeUser, present, signedInCookie, TEST_CONTEXT } from "@/test/factories";

import { bindProviderSession, OidcAdapter } from "./adapter.ts";

/**
 * Guarantee (ADR 0012, "Storage"): oidc-provider's models live in PostgreSQL through this adapter,
 * driven here by the library's own model classes: bearer values are never stored, a code or
 * refresh token is consumed once (the second consumption revokes its grant), grants revoke what
 * they issued, and clients are Keyward's applications (a disabled one is no client).
 */
const provider = new Provider("http://localhost:3000", {
  adapter: OidcAdapter,
  features: { devInteractions: { enabled: false } },
});

const unique = () => randomBytes(4).toString("hex");

async function storedText(model: string, id: string): Promise<string> {
  const row = await db.oidcPayload.findUnique({ where: { model_idHash: { model, idHash: sha256Hex(id) } } });
  return JSON.stringify(present(row));
}

describe("the OpenID provider's storage", () => {
  it("keeps an authorization code by its hash, gives it back, and lets it be consumed once", async () => {
    const { app } = await makeApp();
    const client = present(await provider.Client.find(app.id));
    const grantId = `grant-${unique()}`;
    const code = new provider.AuthorizationCode({
      accountId: "usr_test",
      client,
      gty: "authorization_code",
      grantId,
      redirectUri: "https://portal.example.test/callback",
      scope: "openid",
      codeChallenge: "x".repeat(43),
      codeChallengeMethod: "S256",
    });
    const value = await code.save();
    expect(await storedText("AuthorizationCode", value)).not.toContain(value);

    const found = present(await provider.AuthorizationCode.find(value));
    expect(found).toMatchObject({ accountId: "usr_test", clientId: app.id, grantId, jti: value });
    const adapter = new OidcAdapter("AuthorizationCode");
    expect(present(await adapter.find(value)).consumed).toBeUndefined();
    await found.consume();
    expect(present(await adapter.find(value)).consumed).toBeTypeOf("number");

    // A second redemption racing the first: refused, and the grant's other tokens go with it.
    const refresh = new provider.RefreshToken({
      accountId: "usr_test",
      client,
      gty: "authorization_code",
      grantId,
      scope: "openid",
    });
    const refreshValue = await refresh.save();
    await expect(adapter.consume(value)).rejects.toMatchObject({
      error: "invalid_grant",
    });
    expect(await provider.RefreshToken.find(refreshValue)).toBeUndefined();
  });

  it("revokes a grant's refresh tokens, destroys one, and forgets expired ones", async () => {
    const { app } = await makeApp();
    const client = present(await provider.Client.find(app.id));
    const grantId = `grant-${unique()}`;
    const make = () =>
      new provider.RefreshToken({
        accountId: "usr_test",
        client,
        gty: "authorization_code",
        grantId,
        scope: "openid",
      }).save();
    const [a, b] = [await make(), await make()];
    await new OidcAdapter("RefreshToken").destroy(a);
    expect(await provider.RefreshToken.find(a)).toBeUndefined();
    expect(await provider.RefreshToken.find(b)).toBeDefined();
    await new OidcAdapter("RefreshToken").revokeByGrantId(grantId);
    expect(await provider.RefreshToken.find(b)).toBeUndefined();

    const adapter = new OidcAdapter("Interaction");
    await adapter.upsert("short-lived", { uid: "u", exp: 0 }, 1);
    await db.oidcPayload.update({
      where: { model_idHash: { model: "Interaction", idHash: sha256Hex("short-lived") } },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await adapter.find("short-lived")).toBeUndefined();
  });

  it("finds a session by its uid without ever storing its id, while its Keyward session stands", async () => {
    const user = await makeUser();
    const { sessionId } = await signedInCookie(user.id);
    const uid = `uid-${unique()}`;
    const id = `sess-${unique()}`;
    const now = Math.floor(Date.now() / 1000);
    const adapter = new OidcAdapter("Session");
    const payload = { uid, accountId: user.id, kind: "Session", iat: now, exp: now + 600 };
    await adapter.upsert(id, { jti: id, ...payload }, 600);
    expect(await storedText("Session", id)).not.toContain(id);
    // Never bound to a Keyward session: no session at all (ADR 0012).
    expect(await provider.Session.findByUid(uid)).toBeUndefined();
    await bindProviderSession(uid, sessionId);
    expect(present(await provider.Session.findByUid(uid)).accountId).toBe(user.id);
    expect(present(await adapter.find(id))).toMatchObject({ jti: id, uid });

    // The library renews the id at every resume, destroying the old row first: the resume binds
    // the new one again (every interaction result carries the Keyward session).
    const renewed = `sess-${unique()}`;
    await adapter.destroy(id);
    await adapter.upsert(renewed, { jti: renewed, ...payload }, 600);
    expect(await adapter.find(renewed)).toBeUndefined();
    await bindProviderSession(uid, sessionId);
    expect(present(await adapter.find(renewed))).toMatchObject({ uid });

    // Signing out of Keyward (the Session row revoked) ends it.
    await db.$transaction((tx) => revokeSession(tx, sessionId, "signed out"));
    expect(await adapter.find(renewed)).toBeUndefined();
    expect(await provider.Session.findByUid(uid)).toBeUndefined();
  });

  it("reads clients from the applications, hashes only, and not when disabled", async () => {
    const { principal, app } = await makeApp({ postLogoutRedirectUris: ["https://portal.example.test/bye"] });
    const client = present(await provider.Client.find(app.id));
    expect(client.redirectUris).toEqual(["https://portal.example.test/callback"]);
    expect(client.postLogoutRedirectUris).toEqual(["https://portal.example.test/bye"]);
    expect(client.tokenEndpointAuthMethod).toBe("client_secret_basic");
    expect(client.responseTypes).toEqual(["code"]);
    // What the provider holds as the secret is the stored hash, never the secret.
    expect(client.clientSecret).toBe(
      present(await db.applicationSecret.findFirst({ where: { appId: app.id } })).hash,
    );
    expect(client.clientSecret).not.toBe(app.clientSecret);

    const spa = await createApp({
      actor: principal,
      context: TEST_CONTEXT,
      input: appRegistration({ kind: "spa", redirectUris: ["https://spa.example.test/"] }),
    });
    expect(present(await provider.Client.find(spa.id)).tokenEndpointAuthMethod).toBe("none");

    await setAppDisabled({ actor: principal, id: spa.id, disabled: true, context: TEST_CONTEXT });
    expect(await new OidcAdapter("Client").find(spa.id)).toBeUndefined();
    expect(await new OidcAdapter("Client").find("not-an-app-id")).toBeUndefined();
    await expect(new OidcAdapter("Client").upsert(spa.id, {})).rejects.toThrow(TypeError);
  });
});
