import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";

import { GET as me } from "@/app/api/v1/me/route";
import { createClient } from "@/lib/clients/manage-clients";
import { getConfig } from "@/lib/config/env";
import { credentialsChanged } from "@/lib/credentials/change-feed";
import { db } from "@/lib/db/client";
import { PERMISSIONS } from "@/lib/policy/permissions";
import { getSettings } from "@/lib/settings/settings";
import { removeRole } from "@/lib/users/role-assignments";
import { developerHolding, makeApi, makeApiRole } from "@/test/api-factories";
import { basic, requestClientToken } from "@/test/credentials";
import { makePrincipal, TEST_CONTEXT } from "@/test/factories";
import { call } from "@/test/requests";

import { GET as jwks } from "../jwks/route";
import { serverMetadata } from "@/lib/oauth/metadata";
import { POST as token } from "./route";

/*
 * Guarantee: the token endpoint issues a token only for one registered, active API the client is
 * allowed permissions of, carrying only that API's permissions the client may have now, and when it
 * refuses or narrows it says which rule did (issue 14, item 4).
 */

const FORM = { "content-type": "application/x-www-form-urlencoded" };

async function localJwks() {
  return createLocalJWKSet((await (await jwks()).json()) as Parameters<typeof createLocalJWKSet>[0]);
}

/** An Orders API (one deprecated permission), a client allowed three of its permissions, and its owner. */
async function ordersClient(options: { ttl?: number } = {}) {
  const orders = await makeApi({
    permissions: ["orders.read", "orders.write", "orders.admin", "orders.old"],
    accessTokenTtlSeconds: options.ttl ?? 300,
  });
  const p = orders.permissionIds;
  const owner = await developerHolding([
    p["orders.read"] ?? "",
    p["orders.write"] ?? "",
    p["orders.old"] ?? "",
  ]);
  const client = await createClient({
    actor: owner.principal,
    name: "Orders worker",
    description: "",
    scopes: [],
    apiPermissionIds: [p["orders.read"] ?? "", p["orders.write"] ?? "", p["orders.old"] ?? ""],
    context: TEST_CONTEXT,
  });
  // Deprecated after it was allowed: kept on the client, flagged, never issued.
  await db.apiPermission.update({ where: { id: p["orders.old"] }, data: { deprecatedAt: new Date() } });
  return { orders, owner, ...client };
}

describe("POST /api/oauth/token for a registered API (RFC 8707 resource, RFC 6749 §5.2 errors)", () => {
  it("answers each refusal with its RFC error, a description saying why, status and no token", async () => {
    const { orders, clientId, clientSecret, owner } = await ordersClient();
    const billing = await makeApi({ label: "Billing", permissions: ["billing.read"] });
    const disabled = await makeApi({
      permissions: ["orders.read", "orders.write"],
      label: "Legacy",
      disabled: true,
    });
    // A second client of the same owner, allowed Keyward's own API and Orders.
    const two = await createClient({
      actor: owner.principal,
      name: "Two APIs",
      description: "",
      scopes: ["clients.read"],
      apiPermissionIds: [orders.permissionIds["orders.read"] ?? ""],
      context: TEST_CONTEXT,
    });
    // A client whose only permission row is gone: allowed nothing at any API.
    const none = await createClient({
      actor: owner.principal,
      name: "Empty",
      description: "",
      scopes: ["clients.read"],
      context: TEST_CONTEXT,
    });
    await db.apiClientPermission.deleteMany({ where: { clientId: none.clientId } });

    type Case = [string, { id: string; secret: string }, [string, string][], number, string, RegExp];
    const one = { id: clientId, secret: clientSecret };
    const cases: Case[] = [
      [
        "unregistered resource",
        one,
        [["resource", "https://attacker.example/"]],
        400,
        "invalid_target",
        /^No API is registered with this resource identifier\.$/,
      ],
      [
        "disabled API",
        one,
        [["resource", disabled.identifier]],
        400,
        "invalid_target",
        new RegExp(`^The API "${disabled.name}" is disabled\\.$`),
      ],
      [
        "resource not allowed",
        one,
        [["resource", billing.identifier]],
        400,
        "invalid_target",
        new RegExp(`not allowed any permission of "${billing.name}"`),
      ],
      [
        "several resources",
        one,
        [
          ["resource", orders.identifier],
          ["resource", billing.identifier],
        ],
        400,
        "invalid_target",
        /exactly one audience/,
      ],
      [
        "undefined scope",
        one,
        [
          ["resource", orders.identifier],
          ["scope", "orders.delete"],
        ],
        400,
        "invalid_scope",
        /orders\.delete: the API defines no such permission/,
      ],
      [
        "defined, not allowed",
        one,
        [["scope", "orders.admin"]],
        400,
        "invalid_scope",
        /orders\.admin: this client is not allowed it/,
      ],
      [
        "deprecated scope",
        one,
        [["scope", "orders.read orders.old"]],
        400,
        "invalid_scope",
        /orders\.old: deprecated/,
      ],
      [
        "Keyward's name at Orders",
        one,
        [["scope", "users.read"]],
        400,
        "invalid_scope",
        /users\.read: the API defines no such permission/,
      ],
      [
        "no resource, several APIs",
        { id: two.clientId, secret: two.clientSecret },
        [],
        400,
        "invalid_target",
        new RegExp(`several APIs.*resource parameter.*${orders.identifier.replace(/[.]/g, "\\.")}`),
      ],
      [
        "no resource, no API",
        { id: none.clientId, secret: none.clientSecret },
        [],
        400,
        "invalid_target",
        /not allowed any permission of any API/,
      ],
      ["wrong secret", { id: clientId, secret: "kw_cs_nope" }, [], 401, "invalid_client", /./],
    ];
    for (const [name, client, params, status, error, description] of cases) {
      const response = await call(token, {
        method: "POST",
        headers: { ...FORM, authorization: basic(client.id, client.secret) },
        body: new URLSearchParams([["grant_type", "client_credentials"], ...params]).toString(),
      });
      expect(response.status, name).toBe(status);
      expect(response.headers.get("cache-control"), name).toBe("no-store");
      expect(Object.keys(response.body).sort(), name).toEqual(["error", "error_description"]);
      expect(response.body.error, name).toBe(error);
      expect(String(response.body.error_description), name).toMatch(description);
    }
    // Every refused scope is named, each with its rule.
    const both = await requestClientToken(clientId, clientSecret, { scope: "orders.admin orders.old nope" });
    expect(both.body.error).toBe("invalid_scope");
    expect(String(both.body.error_description)).toMatch(
      /orders\.admin: this client is not allowed it; orders\.old: deprecated.*; nope: the API defines no such permission/,
    );
  });

  it("issues for the client's only API: aud is its identifier, scopes bare, lifetime the API's", async () => {
    const { orders, clientId, clientSecret } = await ordersClient({ ttl: 300 });
    // No resource, no scope: everything the client may have now there (the deprecated one left out).
    const all = await requestClientToken(clientId, clientSecret);
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({
      token_type: "Bearer",
      expires_in: 300,
      scope: "orders.read orders.write",
    });
    // The key is made at the first issuance: read the JWKS after it, as a resource server would.
    const { payload } = await jwtVerify(String(all.body.access_token), await localJwks(), {
      issuer: getConfig().issuer,
      audience: orders.identifier,
      typ: "at+jwt",
    });
    expect(payload.aud).toBe(orders.identifier);
    expect(payload.scope).toBe("orders.read orders.write");
    expect(Number(payload.exp) - Number(payload.iat)).toBe(300);

    // Named resource and a narrower scope.
    const read = await requestClientToken(clientId, clientSecret, {
      resource: orders.identifier,
      scope: "orders.read",
    });
    expect(read.status).toBe(200);
    expect(decodeJwt(String(read.body.access_token))).toMatchObject({
      aud: orders.identifier,
      scope: "orders.read",
    });
  });

  it("caps the API's lifetime by the access-token setting", async () => {
    const { clientId, clientSecret } = await ordersClient({ ttl: 24 * 3600 });
    const cap = (await getSettings(db)).accessTokenMinutes;
    const response = await requestClientToken(clientId, clientSecret);
    expect(response.status).toBe(200);
    const claims = decodeJwt(String(response.body.access_token));
    expect(Number(claims.exp) - Number(claims.iat)).toBe(cap * 60);
  });

  it("narrows, then refuses, at the next request once the owner loses the roles, saying why", async () => {
    const { orders, owner, clientId, clientSecret } = await ordersClient();
    const admin = await makePrincipal(["admin"]);
    // Owner holds orders.read through a second role too: losing the first leaves read only.
    const readRole = await makeApiRole([orders.permissionIds["orders.read"] ?? ""]);
    await db.roleAssignment.create({ data: { userId: owner.user.id, roleId: readRole.id } });
    expect((await requestClientToken(clientId, clientSecret)).body.scope).toBe("orders.read orders.write");

    await removeRole({
      actor: admin.principal,
      userId: owner.user.id,
      roleId: owner.apiRole.id,
      context: TEST_CONTEXT,
    });
    expect((await requestClientToken(clientId, clientSecret)).body.scope).toBe("orders.read");
    const write = await requestClientToken(clientId, clientSecret, { scope: "orders.write" });
    expect(write.status).toBe(400);
    expect(write.body).toEqual({
      error: "invalid_scope",
      error_description: `Refused at "${orders.name}": orders.write: the client's owner no longer holds it (their roles changed).`,
    });

    await removeRole({
      actor: admin.principal,
      userId: owner.user.id,
      roleId: readRole.id,
      context: TEST_CONTEXT,
    });
    const nothing = await requestClientToken(clientId, clientSecret);
    expect(nothing.status).toBe(400);
    expect(nothing.body.error).toBe("invalid_scope");
    expect(String(nothing.body.error_description)).toMatch(
      new RegExp(
        `none of its permissions of "${orders.name}" now: orders.old: deprecated.*; orders.read: the client's owner no longer holds it`,
      ),
    );
  });

  it("refuses a disabled API at the next request after it is disabled", async () => {
    const { orders, clientId, clientSecret } = await ordersClient();
    expect((await requestClientToken(clientId, clientSecret)).status).toBe(200);
    await db.$transaction(async (tx) => {
      await tx.api.update({ where: { id: orders.id }, data: { disabledAt: new Date() } });
      await credentialsChanged(tx, ["apis"]);
    });
    const response = await requestClientToken(clientId, clientSecret);
    expect(response.body).toEqual({
      error: "invalid_target",
      error_description: `The API "${orders.name}" is disabled.`,
    });
  });
});

describe("Keyward's own API and metadata", () => {
  // Guarantee: a token for another API is never accepted by Keyward's own API, even when that API
  // defines a permission with the same name as one of Keyward's.
  it("refuses at /api/v1 a token whose audience is another API", async () => {
    const lookalike = await makeApi({ permissions: ["users.read"] });
    const owner = await developerHolding([lookalike.permissionIds["users.read"] ?? ""]);
    const client = await createClient({
      actor: owner.principal,
      name: "Look-alike",
      description: "",
      scopes: [],
      apiPermissionIds: [lookalike.permissionIds["users.read"] ?? ""],
      context: TEST_CONTEXT,
    });
    const issued = await requestClientToken(client.clientId, client.clientSecret);
    expect(issued.body.scope).toBe("users.read");
    const response = await call(me, { bearer: String(issued.body.access_token) });
    expect(response.status).toBe(401);
  });

  it("lists Keyward's own permissions only in scopes_supported", async () => {
    await makeApi({ permissions: ["inventory.count"] });
    const body = serverMetadata() as { scopes_supported: string[] };
    expect(body.scopes_supported).toEqual([...PERMISSIONS]);
  });
});
