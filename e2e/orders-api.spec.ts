import { randomBytes } from "node:crypto";

import { SignJWT } from "jose";

import { SYSTEM_CONTEXT } from "../lib/auth/principal.ts";
import { getConfig } from "../lib/config/env.ts";
import { newId } from "../lib/crypto/ids.ts";
import { db } from "../lib/db/client.ts";
import { activeSigningKey, SIGNING_ALG } from "../lib/oauth/signing-keys.ts";
import { createResourceServerCredential } from "../lib/resource-servers/manage-credentials.ts";
import { revokeToken } from "../lib/tokens/manage-tokens.ts";
import { removeRole } from "../lib/users/role-assignments.ts";
import { createClient } from "../lib/clients/manage-clients.ts";
import { mintToken } from "../lib/tokens/mint-token.ts";
import { makeApi } from "../test/api-factories.ts";
import { makePrincipal, makeRole } from "../test/factories.ts";
import * as oidc from "openid-client";

import { dpopKey, dpopKeyOf } from "../test/dpop.ts";
import { expect, test } from "./fixtures";
import { callOrders, type OrdersApiProcess, startOrdersApi } from "./orders-api-process";

// The example resource server (examples/orders-api) against this Keyward, as an API would run it:
// it verifies client JWTs with jose and asks about personal tokens by introspection, with its
// cache off so that a revocation shows at the next request.

const base = String(process.env.E2E_BASE_URL).replace(/\/+$/, "");
let ordersApi: OrdersApiProcess | undefined;

let orders: Awaited<ReturnType<typeof makeApi>>;
let billing: Awaited<ReturnType<typeof makeApi>>;

test.beforeAll(async () => {
  orders = await makeApi({ label: "Orders", permissions: ["orders.read", "orders.write"] });
  billing = await makeApi({ label: "Billing", permissions: ["billing.read"] });
  const { principal: admin } = await makePrincipal(["admin"]);
  const rs = await createResourceServerCredential({
    actor: admin,
    apiId: orders.id,
    name: "orders-api e2e",
    context: SYSTEM_CONTEXT,
  });
  ordersApi = await startOrdersApi({
    audience: orders.identifier,
    clientId: rs.clientId,
    clientSecret: rs.clientSecret,
  });
});

test.afterAll(() => {
  ordersApi?.stop();
});

/** A developer whose role grants orders.read (and billing.read), not orders.write. */
async function developer() {
  const role = await makeRole(["users.read", "tokens.create", "clients.write"]);
  const made = { ...(await makePrincipal([], [role.id])), role };
  await db.rolePermission.createMany({
    data: [
      { roleId: made.role.id, permissionId: orders.permissionIds["orders.read"] ?? "" },
      { roleId: made.role.id, permissionId: billing.permissionIds["billing.read"] ?? "" },
    ],
  });
  return made;
}

/** A personal token carrying these permissions (minting for other APIs is the Tokens page's). */
async function personalToken(principal: Awaited<ReturnType<typeof developer>>["principal"], names: string[]) {
  const pat = await mintToken({
    actor: principal,
    name: `orders ${randomBytes(3).toString("hex")}`,
    scopes: ["users.read"],
    expiration: "7",
    context: SYSTEM_CONTEXT,
  });
  await db.apiTokenPermission.createMany({
    data: names.map((name) => ({
      tokenId: pat.id,
      permissionId: orders.permissionIds[name] ?? billing.permissionIds[name] ?? "",
    })),
  });
  return pat;
}

/**
 * A client access token for an API, signed with Keyward's active key exactly as the token endpoint
 * signs one for `resource` = the API's identifier (RFC 9068).
 */
async function clientToken(audience: string, scope: string) {
  const key = await activeSigningKey();
  const now = Math.floor(Date.now() / 1000);
  const clientId = newId("cli");
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

const call = (method: "GET" | "POST", token?: string) => callOrders(ordersApi?.url ?? "", method, token);

test("a client JWT for the Orders API: 200 within its scope, 403 insufficient_scope beyond it", async () => {
  const read = await clientToken(orders.identifier, "orders.read");
  expect(await call("GET", read)).toMatchObject({ status: 200 });
  const refused = await call("POST", read);
  expect(refused.status).toBe(403);
  expect(refused.challenge).toContain('error="insufficient_scope"');
  expect((await call("POST", await clientToken(orders.identifier, "orders.read orders.write"))).status).toBe(
    201,
  );
});

test("a token for another API, or none: 401 invalid_token", async () => {
  const forBilling = await call("GET", await clientToken(billing.identifier, "orders.read"));
  expect(forBilling.status).toBe(401);
  expect(forBilling.challenge).toContain('error="invalid_token"');
  // A real client's token from the token endpoint, for Keyward's own API.
  const owner = await developer();
  const client = await createClient({
    actor: owner.principal,
    name: `orders ${randomBytes(3).toString("hex")}`,
    description: "",
    scopes: ["users.read"],
    context: SYSTEM_CONTEXT,
  });
  const issued = await fetch(`${base}/api/oauth/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`,
    },
    body: new URLSearchParams({ grant_type: "client_credentials" }),
  });
  expect(issued.status).toBe(200);
  const keywardToken = String(((await issued.json()) as { access_token: string }).access_token);
  expect((await call("GET", keywardToken)).status).toBe(401);
  const billingPat = await personalToken(owner.principal, ["billing.read"]);
  expect((await call("GET", billingPat.token)).status).toBe(401);
  expect(await call("GET")).toMatchObject({ status: 401, challenge: 'Bearer realm="orders"' });
});

test("a personal token through introspection: 200, 403 beyond its scope, 401 once expired or revoked", async () => {
  const owner = await developer();
  const pat = await personalToken(owner.principal, ["orders.read", "orders.write"]);
  expect((await call("GET", pat.token)).status).toBe(200);
  // orders.write is stored on the token, but its owner does not hold it: not carried.
  expect((await call("POST", pat.token)).status).toBe(403);

  // Revoked here, in another process: Keyward's server learns it from the change feed (NOTIFY on
  // commit), a few milliseconds later, so the first answer may still race it.
  await revokeToken({ actor: owner.principal, tokenId: pat.id, context: SYSTEM_CONTEXT });
  await expect.poll(async () => (await call("GET", pat.token)).status, { timeout: 5_000 }).toBe(401);
  expect((await call("GET", pat.token)).challenge).toContain('error="invalid_token"');

  // Expired before its first use (so nothing about it is cached anywhere).
  const expired = await personalToken(owner.principal, ["orders.read"]);
  await db.apiToken.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
  expect((await call("GET", expired.token)).status).toBe(401);
});

test("after an admin removes the role, the personal token stops carrying orders.read at the next introspection", async () => {
  const owner = await developer();
  const pat = await personalToken(owner.principal, ["orders.read"]);
  expect((await call("GET", pat.token)).status).toBe(200);
  const { principal: admin } = await makePrincipal(["admin"]);
  await removeRole({ actor: admin, userId: owner.user.id, roleId: owner.role.id, context: SYSTEM_CONTEXT });
  // As above: the server hears of the change by NOTIFY, from this other process.
  await expect.poll(async () => (await call("GET", pat.token)).status, { timeout: 5_000 }).toBe(401);
});

test("a client-credentials client with DPoP (openid-client): its bound token works with a fresh proof, and a copy of it does not", async () => {
  const owner = await developer();
  const worker = await createClient({
    actor: owner.principal,
    name: `orders worker ${randomBytes(3).toString("hex")}`,
    description: "",
    scopes: [],
    apiPermissionIds: [orders.permissionIds["orders.read"] ?? ""],
    context: SYSTEM_CONTEXT,
  });
  const config = await oidc.discovery(
    new URL(getConfig().issuer),
    worker.clientId,
    undefined,
    oidc.ClientSecretBasic(worker.clientSecret),
    { execute: [oidc.allowInsecureRequests] },
  );
  const keyPair = await oidc.randomDPoPKeyPair("ES256");
  const DPoP = oidc.getDPoPHandle(config, keyPair);
  // The library answers the token endpoint's nonce challenge (RFC 9449 §8) itself.
  const tokens = await oidc.clientCredentialsGrant(config, { resource: orders.identifier }, { DPoP });
  expect(tokens.token_type.toLowerCase()).toBe("dpop");
  const url = new URL(`${ordersApi?.url ?? ""}/orders`);
  const listed = await oidc.fetchProtectedResource(
    config,
    tokens.access_token,
    url,
    "GET",
    undefined,
    undefined,
    {
      DPoP,
    },
  );
  expect(listed.status).toBe(200);

  // What a thief who copied the token can do with it: nothing.
  const key = await dpopKeyOf(keyPair);
  const thief = await dpopKey();
  const htu = url.href;
  const accessToken = tokens.access_token;
  expect((await call("GET", accessToken)).challenge).toContain('error="invalid_token"');
  const stolen = await callOrders(
    ordersApi?.url ?? "",
    "GET",
    accessToken,
    await thief.proof({ htm: "GET", htu, accessToken }),
  );
  expect(stolen).toMatchObject({ status: 401 });
  expect(stolen.challenge).toContain('error="invalid_dpop_proof"');
  const elsewhere = await key.proof({ htm: "GET", htu: `${ordersApi?.url ?? ""}/invoices`, accessToken });
  expect((await callOrders(ordersApi?.url ?? "", "GET", accessToken, elsewhere)).status).toBe(401);
  const post = await key.proof({ htm: "POST", htu, accessToken });
  expect((await callOrders(ordersApi?.url ?? "", "GET", accessToken, post)).status).toBe(401);
  const once = await key.proof({ htm: "GET", htu, accessToken });
  expect((await callOrders(ordersApi?.url ?? "", "GET", accessToken, once)).status).toBe(200);
  const replayed = await callOrders(ordersApi?.url ?? "", "GET", accessToken, once);
  expect(replayed.status).toBe(401);
  expect(replayed.challenge).toContain("replayed");
});
