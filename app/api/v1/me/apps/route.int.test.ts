import { randomBytes } from "node:crypto";

import Provider from "oidc-provider";
import { describe, expect, it } from "vitest";

import { resolveSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db/client";
import { OidcAdapter } from "@/lib/oidc/adapter";
import { makeApp } from "@/test/app-factories";
import { makeTestClient, clientAccessToken, mintTestToken } from "@/test/credentials";
import { makeUser, present, signedInCookie } from "@/test/factories";
import { call } from "@/test/requests";

import { DELETE } from "./[appId]/route";
import { GET } from "./route";

type Handler = Parameters<typeof call>[0];

const provider = new Provider("http://localhost:3000", {
  adapter: OidcAdapter,
  features: { devInteractions: { enabled: false } },
});

/**
 * A user (an administrator, so that they may mint a token and register a client) with a browser
 * session, a grant to a new third-party app, and its refresh token.
 */
async function connected() {
  const user = await makeUser({ roles: ["admin"] });
  const { cookie, sessionId } = await signedInCookie(user.id);
  const principal = present(await resolveSession(sessionId));
  const name = `Partner ${randomBytes(4).toString("hex")}`;
  const { app } = await makeApp({ name });
  const grant = new provider.Grant({ accountId: user.id, clientId: app.id });
  grant.addOIDCScope("openid email");
  const grantId = await grant.save();
  const client = present(await provider.Client.find(app.id));
  await new provider.RefreshToken({
    accountId: user.id,
    client,
    grantId,
    scope: "openid",
    gty: "authorization_code",
  }).save();
  return { user, cookie, principal, app: { id: app.id, name }, grantId };
}

const revoke = (appId: string, credential: { cookie?: string; bearer?: string }) =>
  call(DELETE as Handler, {
    method: "DELETE",
    path: `/api/v1/me/apps/${appId}`,
    params: { appId },
    ...credential,
  });

// Guarantee (issue 15): /api/v1/me/apps is the caller's own connected apps; taking consent back is
// a signed-in person's act, refused to every bearer credential, and answers how many grants ended.
describe("/api/v1/me/apps", () => {
  it("lists the session's and a personal token's own apps; an API client has none", async () => {
    const { cookie, principal, app } = await connected();
    const mine = await call(GET as Handler, { path: "/api/v1/me/apps", cookie });
    expect(mine.status).toBe(200);
    expect(mine.body.items).toEqual([
      {
        id: app.id,
        name: app.name,
        logoUrl: null,
        homepageUrl: null,
        firstParty: false,
        disabled: false,
        allowedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        // Grants made directly here, not used by the app yet.
        lastUsedAt: null,
        allowed: ["Know who you are (your Keyward account id)", "See your email address"],
        refreshTokens: true,
      },
    ]);
    const token = await mintTestToken(principal, ["users.read"]);
    const viaToken = await call(GET as Handler, { path: "/api/v1/me/apps", bearer: token.token });
    expect(viaToken.status).toBe(200);
    expect(viaToken.body.items).toEqual(mine.body.items);
    const reporting = await makeTestClient(principal, ["users.read"]);
    const bearer = await clientAccessToken(reporting.clientId, reporting.clientSecret);
    const viaClient = await call(GET as Handler, { path: "/api/v1/me/apps", bearer });
    expect(viaClient.status).toBe(403);
    expect(viaClient.body.type).toBe("urn:keyward:problem:forbidden");
  });

  it("revokes only from a signed-in session: a personal token is session_required; then 404", async () => {
    const { cookie, principal, app, grantId } = await connected();
    const token = await mintTestToken(principal, ["users.read"]);
    const refused = await revoke(app.id, { bearer: token.token });
    expect(refused.status).toBe(403);
    expect(refused.body.type).toBe("urn:keyward:problem:session_required");
    expect(await provider.Grant.find(grantId)).toBeDefined();

    const done = await revoke(app.id, { cookie });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ ended: 1 });
    expect(await provider.Grant.find(grantId)).toBeUndefined();
    expect(await db.oidcPayload.count({ where: { grantId } })).toBe(0);
    expect((await call(GET as Handler, { path: "/api/v1/me/apps", cookie })).body.items).toEqual([]);

    const again = await revoke(app.id, { cookie });
    expect(again.status).toBe(404);
    expect(again.body.type).toBe("urn:keyward:problem:not_found");
  });

  it("cannot reach another user's grant by naming their app", async () => {
    const theirs = await connected();
    const me = await makeUser();
    const { cookie } = await signedInCookie(me.id);
    const response = await revoke(theirs.app.id, { cookie });
    expect(response.status).toBe(404);
    expect(await provider.Grant.find(theirs.grantId)).toBeDefined();
    expect((await revoke("not-an-id", { cookie })).status).toBe(400);
  });
});
