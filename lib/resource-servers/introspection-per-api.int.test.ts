import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";

import { POST as introspectRoute } from "@/app/api/oauth/introspect/route";
import { getConfig } from "@/lib/config/env";
import { newId } from "@/lib/crypto/ids";
import { db } from "@/lib/db/client";
import { activeSigningKey, SIGNING_ALG } from "@/lib/oauth/signing-keys";
import {
  revokeResourceServerCredential,
  rotateResourceServerSecret,
} from "@/lib/resource-servers/manage-credentials";
import { removeRole } from "@/lib/users/role-assignments";
import { basic, clientAccessToken, developerWith, makeTestClient, mintTestToken } from "@/test/credentials";
import { makePrincipal, TEST_CONTEXT } from "@/test/factories";
import { call } from "@/test/requests";
import { introspectAs, makeResourceServer } from "@/test/resource-servers";
import { makeApi } from "@/test/api-factories";

// Guarantee: introspection answers an API only about tokens usable at THAT API, with that API's
// permissions and nothing else, and only to that API's own resource-server credential.

const context = TEST_CONTEXT;

/** Orders and Billing APIs, and a developer whose role grants orders.read and billing.read. */
async function twoApis() {
  const orders = await makeApi({
    permissions: ["orders.read", "orders.write"],
    name: `Orders ${newId("x")}`,
  });
  const billing = await makeApi({ permissions: ["billing.read"], name: `Billing ${newId("x")}` });
  const developer = await developerWith(["users.read"]);
  await db.rolePermission.createMany({
    data: [
      { roleId: developer.role.id, permissionId: orders.permissionIds["orders.read"] ?? "" },
      { roleId: developer.role.id, permissionId: billing.permissionIds["billing.read"] ?? "" },
    ],
  });
  return { orders, billing, developer };
}

/** A personal token carrying these permission rows (minting for other APIs is lib/tokens'). */
async function patWith(principal: Parameters<typeof mintTestToken>[0], permissionIds: string[]) {
  const pat = await mintTestToken(principal, ["users.read"], "7");
  await db.apiTokenPermission.createMany({
    data: permissionIds.map((permissionId) => ({ tokenId: pat.id, permissionId })),
  });
  return pat;
}

/** A client access token for another API, signed as the token endpoint signs them (RFC 9068). */
async function clientJwt(clientId: string, audience: string, scope: string) {
  const key = await activeSigningKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ client_id: clientId, scope })
    .setProtectedHeader({ alg: SIGNING_ALG, typ: "at+jwt", kid: key.kid })
    .setIssuer(getConfig().issuer)
    .setSubject(clientId)
    .setAudience(audience)
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .setJti(newId("jti"))
    .sign(key.key);
}

describe("introspection per audience", () => {
  it("a personal token: the Orders API sees only its Orders permissions, the Billing API only its own", async () => {
    const { orders, billing, developer } = await twoApis();
    const pat = await patWith(developer.principal, [
      orders.permissionIds["orders.read"] ?? "",
      // Stored, but the owner does not hold it: never answered.
      orders.permissionIds["orders.write"] ?? "",
      billing.permissionIds["billing.read"] ?? "",
    ]);
    const ordersRs = await makeResourceServer(orders.id);
    const billingRs = await makeResourceServer(billing.id);

    const atOrders = await introspectAs(ordersRs.authorization, pat.token);
    expect(atOrders.status).toBe(200);
    expect(atOrders.body).toMatchObject({
      active: true,
      scope: "orders.read",
      aud: orders.identifier,
      sub: developer.user.id,
    });
    expect(JSON.stringify(atOrders.body)).not.toContain("billing");
    expect(JSON.stringify(atOrders.body)).not.toContain("users.read");
    expect(JSON.stringify(atOrders.body)).not.toContain(developer.user.email);
    expect(atOrders.body).not.toHaveProperty("username");

    const atBilling = await introspectAs(billingRs.authorization, pat.token);
    expect(atBilling.body).toMatchObject({ active: true, scope: "billing.read", aud: billing.identifier });

    // Keyward's own API sees its own permissions only.
    const keyward = await makeResourceServer();
    const atKeyward = await introspectAs(keyward.authorization, pat.token);
    expect(atKeyward.body).toMatchObject({ active: true, scope: "users.read", aud: getConfig().apiAudience });
  });

  it("a token without Orders permissions, or for the Billing API, is inactive at the Orders API", async () => {
    const { orders, billing, developer } = await twoApis();
    const billingPat = await patWith(developer.principal, [billing.permissionIds["billing.read"] ?? ""]);
    const ordersRs = await makeResourceServer(orders.id);
    expect((await introspectAs(ordersRs.authorization, billingPat.token)).body).toEqual({ active: false });

    const client = await makeTestClient(developer.principal, ["users.read"]);
    await db.apiClientPermission.createMany({
      data: [
        { clientId: client.clientId, permissionId: orders.permissionIds["orders.read"] ?? "" },
        { clientId: client.clientId, permissionId: billing.permissionIds["billing.read"] ?? "" },
      ],
    });
    const billingJwt = await clientJwt(client.clientId, billing.identifier, "billing.read");
    expect((await introspectAs(ordersRs.authorization, billingJwt)).body).toEqual({ active: false });
    // A Keyward-audience token is not the Orders API's either.
    const keywardJwt = await clientAccessToken(client.clientId, client.clientSecret, {
      resource: getConfig().apiAudience,
    });
    expect((await introspectAs(ordersRs.authorization, keywardJwt)).body).toEqual({ active: false });
  });

  it("a client JWT for the Orders API: scope = token ∩ the client's allowed ∩ its owner's holdings there", async () => {
    const { orders, developer } = await twoApis();
    const client = await makeTestClient(developer.principal, ["users.read"]);
    await db.apiClientPermission.createMany({
      data: [
        { clientId: client.clientId, permissionId: orders.permissionIds["orders.read"] ?? "" },
        { clientId: client.clientId, permissionId: orders.permissionIds["orders.write"] ?? "" },
      ],
    });
    const ordersRs = await makeResourceServer(orders.id);
    const jwt = await clientJwt(client.clientId, orders.identifier, "orders.read orders.write users.read");
    const answer = await introspectAs(ordersRs.authorization, jwt);
    expect(answer.body).toMatchObject({
      active: true,
      scope: "orders.read",
      aud: orders.identifier,
      client_id: client.clientId,
      sub: client.clientId,
    });
    // Only orders.write asked: the owner holds none of it, so nothing is usable.
    const writeOnly = await clientJwt(client.clientId, orders.identifier, "orders.write");
    expect((await introspectAs(ordersRs.authorization, writeOnly)).body).toEqual({ active: false });
  });

  it("the owner losing the role shows at the next introspection (cached answers forget it)", async () => {
    const { orders, developer } = await twoApis();
    const pat = await patWith(developer.principal, [orders.permissionIds["orders.read"] ?? ""]);
    const ordersRs = await makeResourceServer(orders.id);
    expect((await introspectAs(ordersRs.authorization, pat.token)).body.active).toBe(true);
    const { principal: admin } = await makePrincipal(["admin"]);
    await removeRole({ actor: admin, userId: developer.user.id, roleId: developer.role.id, context });
    expect((await introspectAs(ordersRs.authorization, pat.token)).body).toEqual({ active: false });
  });

  it("an API that refuses personal tokens, or is disabled, answers inactive", async () => {
    const { developer } = await twoApis();
    const noPats = await makeApi({ permissions: ["x.read"], allowPersonalTokens: false });
    const disabled = await makeApi({ permissions: ["y.read"], disabled: true });
    const role = developer.role.id;
    await db.rolePermission.createMany({
      data: [
        { roleId: role, permissionId: noPats.permissionIds["x.read"] ?? "" },
        { roleId: role, permissionId: disabled.permissionIds["y.read"] ?? "" },
      ],
    });
    const pat = await patWith(developer.principal, [
      noPats.permissionIds["x.read"] ?? "",
      disabled.permissionIds["y.read"] ?? "",
    ]);
    const noPatsRs = await makeResourceServer(noPats.id);
    const disabledRs = await makeResourceServer(disabled.id);
    expect((await introspectAs(noPatsRs.authorization, pat.token)).body).toEqual({ active: false });
    expect((await introspectAs(disabledRs.authorization, pat.token)).body).toEqual({ active: false });
  });
});

describe("who may introspect", () => {
  it("an ordinary API client, no credential, a made-up one or a revoked one: 401 invalid_client with a challenge", async () => {
    const { orders, developer } = await twoApis();
    const pat = await patWith(developer.principal, [orders.permissionIds["orders.read"] ?? ""]);
    const client = await makeTestClient(developer.principal, ["users.read"]);
    const rs = await makeResourceServer(orders.id);
    const forged = basic(rs.clientId, "kw_rs_AAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    for (const authorization of [basic(client.clientId, client.clientSecret), undefined, forged]) {
      const refused = await introspectAs(authorization, pat.token);
      expect(refused.status).toBe(401);
      expect(refused.body.error).toBe("invalid_client");
      expect(refused.headers.get("www-authenticate")).toContain("Basic");
    }
    // Another credential's id with this one's secret.
    const other = await makeResourceServer(orders.id);
    expect((await introspectAs(basic(other.clientId, rs.clientSecret), pat.token)).status).toBe(401);

    expect((await introspectAs(rs.authorization, pat.token)).body.active).toBe(true);
    const { principal: admin } = await makePrincipal(["admin"]);
    await revokeResourceServerCredential({
      actor: admin,
      apiId: orders.id,
      credentialId: rs.credentialId,
      context,
    });
    expect((await introspectAs(rs.authorization, pat.token)).status).toBe(401);
    // The other credential of the same API is untouched.
    expect((await introspectAs(other.authorization, pat.token)).body.active).toBe(true);
  });

  it("client_secret_post works as Basic does (RFC 7662 §2.1)", async () => {
    const { orders, developer } = await twoApis();
    const pat = await patWith(developer.principal, [orders.permissionIds["orders.read"] ?? ""]);
    const rs = await makeResourceServer(orders.id);
    const answer = await call(introspectRoute, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        token: pat.token,
        client_id: rs.clientId,
        client_secret: rs.clientSecret,
      }).toString(),
    });
    expect(answer.body).toMatchObject({ active: true, scope: "orders.read" });
  });

  it("a rotated secret: the old one works within the overlap, and not at all without one", async () => {
    const { orders, developer } = await twoApis();
    const pat = await patWith(developer.principal, [orders.permissionIds["orders.read"] ?? ""]);
    const rs = await makeResourceServer(orders.id);
    const { principal: admin } = await makePrincipal(["admin"]);
    const ref = { actor: admin, apiId: orders.id, credentialId: rs.credentialId, context };
    expect((await introspectAs(rs.authorization, pat.token)).body.active).toBe(true);

    const overlapped = await rotateResourceServerSecret({ ...ref, overlapMinutes: 10 });
    expect(overlapped.oldSecretExpiresAt?.getTime()).toBeGreaterThan(Date.now());
    expect((await introspectAs(rs.authorization, pat.token)).body.active).toBe(true);
    const second = basic(rs.clientId, overlapped.clientSecret);
    expect((await introspectAs(second, pat.token)).body.active).toBe(true);

    const immediate = await rotateResourceServerSecret({ ...ref, overlapMinutes: 0 });
    expect((await introspectAs(rs.authorization, pat.token)).status).toBe(401);
    expect((await introspectAs(second, pat.token)).status).toBe(401);
    expect((await introspectAs(basic(rs.clientId, immediate.clientSecret), pat.token)).body.active).toBe(
      true,
    );
  });
});
