import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";

import {
  createRemoteJWKSet,
  decodeJwt,
  decodeProtectedHeader,
  generateKeyPair,
  jwtVerify,
  SignJWT,
  UnsecuredJWT,
} from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GET as me } from "@/app/api/v1/me/route";
import { getConfig } from "@/lib/config/env";
import { deleteClient, setClientEnabled, updateClient } from "@/lib/clients/manage-clients";
import { acceptClientReassignment, reassignClient } from "@/lib/clients/reassign-client";
import { db } from "@/lib/db/client";
import { rotateSigningKey } from "@/lib/oauth/signing-keys";
import { revokeToken } from "@/lib/tokens/manage-tokens";
import { disableUser } from "@/lib/users/manage-user";
import {
  basic,
  clientAccessToken,
  developerWith,
  makeTestClient,
  mintTestToken,
  requestClientToken,
} from "@/test/credentials";
import { makePrincipal, present, TEST_CONTEXT } from "@/test/factories";
import { call } from "@/test/requests";
import { makeResourceServer } from "@/test/resource-servers";

import { POST as introspect } from "./introspect/route";
import { GET as jwks } from "./jwks/route";
import { serverMetadata } from "@/lib/oauth/metadata";
import { POST as revoke } from "./revoke/route";
import { POST as token } from "./token/route";

const context = TEST_CONTEXT;
const FORM = { "content-type": "application/x-www-form-urlencoded" };

/** The JWKS served over real HTTP, so that jose fetches it as any resource server would. */
let jwksServer: http.Server;
let jwksUrl: URL;

beforeAll(async () => {
  jwksServer = http.createServer((_req, res) => {
    void jwks().then(async (response) => {
      res.writeHead(response.status, { "content-type": "application/json" });
      res.end(await response.text());
    });
  });
  await new Promise<void>((resolve) => jwksServer.listen(0, "127.0.0.1", resolve));
  jwksUrl = new URL(`http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`);
});

afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

async function newClient(scopes: Parameters<typeof makeTestClient>[1] = ["users.read"]) {
  const owner = await developerWith(["users.read", "roles.read"]);
  const client = await makeTestClient(owner.principal, scopes);
  return { owner, ...client };
}

function form(body: Record<string, string>, headers: Record<string, string> = {}) {
  return { method: "POST", headers: { ...FORM, ...headers }, body: new URLSearchParams(body).toString() };
}

describe("POST /api/oauth/token (client credentials)", () => {
  it("issues an RFC 9068 JWT that an independent verifier accepts with nothing but the JWKS", async () => {
    const { clientId, clientSecret } = await newClient(["users.read", "roles.read"]);
    const response = await requestClientToken(clientId, clientSecret, { scope: "users.read" });
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(response.headers.get("pragma")).toBe("no-cache");
    expect(response.body).toMatchObject({ token_type: "Bearer", expires_in: 900, scope: "users.read" });

    const accessToken = String(response.body.access_token);
    const { payload, protectedHeader } = await jwtVerify(accessToken, createRemoteJWKSet(jwksUrl), {
      issuer: getConfig().issuer,
      audience: getConfig().apiAudience,
      typ: "at+jwt",
      algorithms: ["ES256"],
    });
    expect(protectedHeader.typ).toBe("at+jwt");
    expect(protectedHeader.kid).toBeTruthy();
    expect(payload).toMatchObject({ sub: clientId, client_id: clientId, scope: "users.read" });
    expect(present(payload.exp) - present(payload.iat)).toBe(900);
    expect(payload.jti).toMatch(/^jti_/);
  });

  it("accepts client_secret_post, and a registered resource as the audience (RFC 8707)", async () => {
    const { clientId, clientSecret } = await newClient();
    const response = await call(
      token,
      form({
        grant_type: "client_credentials",
        client_id: clientId,
        client_secret: clientSecret,
        resource: getConfig().apiAudience,
      }),
    );
    expect(response.status).toBe(200);
    const { payload } = await jwtVerify(String(response.body.access_token), createRemoteJWKSet(jwksUrl), {
      audience: getConfig().apiAudience,
    });
    expect(payload.aud).toBe(getConfig().apiAudience);
    expect(payload.scope).toBe("users.read");
  });

  // Guarantee: no token is ever issued for an audience nobody registered (issue 14), and a token has
  // exactly one audience.
  it("answers invalid_target for an unregistered, disabled or repeated resource", async () => {
    const { clientId, clientSecret } = await newClient();
    const tag = randomBytes(4).toString("hex");
    const disabled = await db.api.create({
      data: {
        id: `api_t${tag}`,
        name: `Disabled ${tag}`,
        identifier: `https://disabled-${tag}.example.test/`,
        disabledAt: new Date(),
      },
    });
    const registered = await db.api.create({
      data: { id: `api_r${tag}`, name: `Orders ${tag}`, identifier: `https://orders-${tag}.example.test/` },
    });
    const cases: [string, Record<string, string> | [string, string][], RegExp][] = [
      ["unregistered", { resource: "https://attacker.example/" }, /No API is registered/],
      ["disabled", { resource: disabled.identifier }, /is disabled/],
      ["not allowed", { resource: registered.identifier }, /not allowed any permission/],
      [
        "two resources",
        [
          ["resource", getConfig().apiAudience],
          ["resource", registered.identifier],
        ],
        /exactly one audience/,
      ],
      ["with a fragment", { resource: `${getConfig().apiAudience}#x` }, /without a fragment/],
    ];
    for (const [name, params, description] of cases) {
      const body = new URLSearchParams([
        ["grant_type", "client_credentials"],
        ...(Array.isArray(params) ? params : Object.entries(params)),
      ]);
      const response = await call(token, {
        method: "POST",
        headers: { ...FORM, authorization: basic(clientId, clientSecret) },
        body: body.toString(),
      });
      expect(response.status, name).toBe(400);
      expect(response.body.error, name).toBe("invalid_target");
      expect(String(response.body.error_description), name).toMatch(description);
      expect(response.body.access_token, name).toBeUndefined();
    }
  });

  it("answers each RFC 6749 §5.2 error with its name, description, status and headers", async () => {
    const { clientId, clientSecret } = await newClient();
    const cases: [string, Awaited<ReturnType<typeof call>>, number, string][] = [
      [
        "no credentials",
        await call(token, form({ grant_type: "client_credentials" })),
        401,
        "invalid_client",
      ],
      [
        "wrong secret",
        await call(
          token,
          form({ grant_type: "client_credentials" }, { authorization: basic(clientId, "kw_cs_nope") }),
        ),
        401,
        "invalid_client",
      ],
      [
        "malformed Basic",
        await call(token, form({ grant_type: "client_credentials" }, { authorization: "Basic !!!" })),
        401,
        "invalid_client",
      ],
      [
        "two methods",
        await call(
          token,
          form(
            { grant_type: "client_credentials", client_secret: clientSecret },
            { authorization: basic(clientId, clientSecret) },
          ),
        ),
        400,
        "invalid_request",
      ],
      [
        "no grant_type",
        await call(token, form({}, { authorization: basic(clientId, clientSecret) })),
        400,
        "invalid_request",
      ],
      [
        "password grant",
        await call(token, form({ grant_type: "password" }, { authorization: basic(clientId, clientSecret) })),
        400,
        "unsupported_grant_type",
      ],
      [
        "scope beyond the client",
        await requestClientToken(clientId, clientSecret, { scope: "users.read users.write" }),
        400,
        "invalid_scope",
      ],
      [
        "unknown scope",
        await requestClientToken(clientId, clientSecret, { scope: "admin" }),
        400,
        "invalid_scope",
      ],
      [
        "relative resource",
        await requestClientToken(clientId, clientSecret, { resource: "/api" }),
        400,
        "invalid_target",
      ],
      [
        "JSON body",
        await call(token, {
          method: "POST",
          headers: { authorization: basic(clientId, clientSecret) },
          json: { grant_type: "client_credentials" },
        }),
        400,
        "invalid_request",
      ],
      [
        "repeated parameter",
        await call(token, {
          method: "POST",
          headers: { ...FORM, authorization: basic(clientId, clientSecret) },
          body: "grant_type=client_credentials&grant_type=client_credentials",
        }),
        400,
        "invalid_request",
      ],
      [
        "oversized body",
        await call(
          token,
          form(
            { grant_type: "client_credentials", pad: "x".repeat(20_000) },
            { authorization: basic(clientId, clientSecret) },
          ),
        ),
        400,
        "invalid_request",
      ],
    ];
    for (const [name, response, status, error] of cases) {
      expect(response.status, name).toBe(status);
      expect(response.body.error, name).toBe(error);
      expect(typeof response.body.error_description, name).toBe("string");
      expect(response.headers.get("content-type"), name).toBe("application/json");
      expect(response.headers.get("cache-control"), name).toBe("no-store");
      if (status === 401)
        expect(response.headers.get("www-authenticate"), name).toMatch(/^Basic realm="keyward"/);
      expect(JSON.stringify(response.body), name).not.toContain(clientSecret);
    }
  });

  it("refuses a disabled client and an orphaned one until it is reassigned", async () => {
    const { owner, clientId, clientSecret } = await newClient();
    await setClientEnabled({ actor: owner.principal, clientId, enabled: false, context });
    expect((await requestClientToken(clientId, clientSecret)).body.error).toBe("invalid_client");
    await setClientEnabled({ actor: owner.principal, clientId, enabled: true, context });
    expect((await requestClientToken(clientId, clientSecret)).status).toBe(200);

    const { principal: admin } = await makePrincipal(["admin"]);
    await disableUser({ actor: admin, userId: owner.user.id, context });
    const orphaned = await requestClientToken(clientId, clientSecret);
    expect(orphaned.status).toBe(400);
    expect(orphaned.body.error).toBe("unauthorized_client");
    await reassignClient({ actor: admin, clientId, owner: admin.userId, context });
    const accepted = await acceptClientReassignment({ actor: admin, clientId, overlapMinutes: 0, context });
    expect((await requestClientToken(clientId, accepted.clientSecret)).status).toBe(200);
  });

  it("records failed issuance in the audit log without the secret", async () => {
    const { clientId } = await newClient();
    const wrong = "kw_cs_wrongwrongwrongwrongwrong0000";
    await call(token, form({ grant_type: "client_credentials" }, { authorization: basic(clientId, wrong) }));
    const events = await db.auditEvent.findMany({
      where: { action: "oauth.token_failed" },
      orderBy: { id: "desc" },
      take: 5,
    });
    expect(events.length).toBeGreaterThan(0);
    expect(JSON.stringify(events.map((event) => event.details))).not.toContain(wrong);
  });
});

describe("client access tokens on the API", () => {
  it("work with the client's scope, and stop on the next request when the client is disabled or deleted", async () => {
    const { owner, clientId, clientSecret } = await newClient();
    const accessToken = await clientAccessToken(clientId, clientSecret);
    const response = await call(me, { bearer: accessToken });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ kind: "client", id: clientId, permissions: ["users.read"] });

    await setClientEnabled({ actor: owner.principal, clientId, enabled: false, context });
    expect((await call(me, { bearer: accessToken })).status).toBe(401);
    await setClientEnabled({ actor: owner.principal, clientId, enabled: true, context });
    expect((await call(me, { bearer: accessToken })).status).toBe(200);

    await updateClient({
      actor: owner.principal,
      clientId,
      name: "narrowed",
      description: "",
      scopes: ["roles.read"],
      context,
    });
    expect((await call(me, { bearer: accessToken })).body.permissions).toEqual([]);

    await deleteClient({ actor: owner.principal, clientId, context });
    expect((await call(me, { bearer: accessToken })).status).toBe(401);
  });

  // ASVS 6.8.2 / RFC 8725: only tokens signed by a published key, with our issuer and audience,
  // are accepted; unsigned, re-signed, tampered or foreign ones are invalid_token.
  it("refuse unsigned, foreign-signed, tampered and misaddressed tokens", async () => {
    const { clientId, clientSecret } = await newClient();
    const genuine = await clientAccessToken(clientId, clientSecret);
    const claims = decodeJwt(genuine);
    const { kid } = decodeProtectedHeader(genuine);
    const { privateKey } = await generateKeyPair("ES256");
    const foreign = (extra: Record<string, unknown> = {}) =>
      new SignJWT({ ...claims, ...extra })
        .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: kid ?? "" })
        .sign(privateKey);
    const [header, payload, signature] = genuine.split(".") as [string, string, string];
    const tamperedPayload = Buffer.from(
      JSON.stringify({ ...claims, scope: "users.read users.write roles.write" }),
    ).toString("base64url");
    const bad = {
      unsigned: new UnsecuredJWT(claims).encode(),
      "alg none with our header": `${Buffer.from(JSON.stringify({ alg: "none", typ: "at+jwt", kid })).toString("base64url")}.${payload}.`,
      "signed with another key": await foreign(),
      tampered: `${header}.${tamperedPayload}.${signature}`,
      "truncated signature": `${header}.${payload}.${signature.slice(0, -4)}`,
    };
    for (const [name, candidate] of Object.entries(bad)) {
      const response = await call(me, { bearer: candidate });
      expect(response.status, name).toBe(401);
      expect(response.headers.get("www-authenticate"), name).toContain('error="invalid_token"');
    }
    expect((await call(me, { bearer: genuine })).status).toBe(200);
  });

  it("stop when the owner is disabled", async () => {
    const { owner, clientId, clientSecret } = await newClient();
    const accessToken = await clientAccessToken(clientId, clientSecret);
    expect((await call(me, { bearer: accessToken })).status).toBe(200);
    const { principal: admin } = await makePrincipal(["admin"]);
    await disableUser({ actor: admin, userId: owner.user.id, context });
    const response = await call(me, { bearer: accessToken });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
  });

  it("survive a signing key rotation, whose old key stays published until its tokens expire", async () => {
    const { clientId, clientSecret } = await newClient();
    const before = await clientAccessToken(clientId, clientSecret);
    const { principal: admin } = await makePrincipal(["admin"]);
    await rotateSigningKey({ actor: admin, context });
    const after = await clientAccessToken(clientId, clientSecret);
    expect(decodeProtectedHeader(after).kid).not.toBe(decodeProtectedHeader(before).kid);
    const keys = (await (await jwks()).json()) as { keys: { kid: string }[] };
    const kids = keys.keys.map((key) => key.kid);
    expect(kids).toContain(decodeProtectedHeader(before).kid);
    expect(kids).toContain(decodeProtectedHeader(after).kid);
    const verifier = createRemoteJWKSet(jwksUrl);
    await jwtVerify(before, verifier, { issuer: getConfig().issuer });
    await jwtVerify(after, verifier, { issuer: getConfig().issuer });
    expect((await call(me, { bearer: before })).status).toBe(200);
    const stored = await db.signingKey.findUnique({
      where: { kid: present(decodeProtectedHeader(before).kid) },
    });
    expect(stored?.privateKeyEnc).toMatch(/^v1\./);
    expect(stored?.privateKeyEnc).not.toContain('"d"');
  });
});

describe("introspection (RFC 7662) and revocation (RFC 7009)", () => {
  it("describes active client and personal tokens to Keyward's own API's resource server, and answers only active:false otherwise", async () => {
    const { owner, clientId, clientSecret } = await newClient();
    const accessToken = await clientAccessToken(clientId, clientSecret);
    const pat = await mintTestToken(owner.principal, ["users.read"], "7");
    const server = await makeResourceServer();
    const auth = { authorization: server.authorization };

    const jwt = await call(introspect, form({ token: accessToken }, auth));
    expect(jwt.status).toBe(200);
    expect(jwt.body).toMatchObject({
      active: true,
      client_id: clientId,
      sub: clientId,
      scope: "users.read",
      token_type: "Bearer",
      aud: getConfig().apiAudience,
    });
    const personal = await call(
      introspect,
      form({ token: pat.token, token_type_hint: "access_token" }, auth),
    );
    expect(personal.body).toMatchObject({
      active: true,
      sub: owner.user.id,
      scope: "users.read",
      aud: getConfig().apiAudience,
    });
    // No personal data beyond `sub`: the owner's email never reaches whoever introspects.
    expect(personal.body).not.toHaveProperty("username");
    expect(JSON.stringify(personal.body)).not.toContain(owner.user.email);

    for (const junk of ["nope", "kw_pat_AAAAAAAAAAAAAAAAAAAAAAAAAAAA", `${accessToken}x`, "a.b.c"]) {
      expect((await call(introspect, form({ token: junk }, auth))).body).toEqual({ active: false });
    }
    await revokeToken({ actor: owner.principal, tokenId: pat.id, context });
    expect((await call(introspect, form({ token: pat.token }, auth))).body).toEqual({ active: false });

    const unauthenticated = await call(introspect, form({ token: accessToken }));
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.error).toBe("invalid_client");
    expect(unauthenticated.headers.get("www-authenticate")).toContain("Basic");
    expect((await call(introspect, form({}, auth))).body.error).toBe("invalid_request");
    // Breaking change (issue 14 §5): an ordinary API client no longer introspects, not even its own token.
    const asClient = await call(
      introspect,
      form({ token: accessToken }, { authorization: basic(clientId, clientSecret) }),
    );
    expect(asClient.status).toBe(401);
    expect(asClient.body.error).toBe("invalid_client");
  });

  it("reports expired tokens inactive", async () => {
    const { owner } = await newClient();
    const pat = await mintTestToken(owner.principal, ["users.read"], "7");
    await db.apiToken.update({ where: { id: pat.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    // A direct database edit tells no cache: this token was never verified, so nothing is cached.
    const auth = { authorization: (await makeResourceServer()).authorization };
    expect((await call(introspect, form({ token: pat.token }, auth))).body).toEqual({ active: false });
  });

  it("revokes an access token for its own client: inactive and refused on the next request", async () => {
    const { clientId, clientSecret } = await newClient();
    const accessToken = await clientAccessToken(clientId, clientSecret);
    const other = await newClient();
    const auth = { authorization: basic(clientId, clientSecret) };
    expect((await call(me, { bearer: accessToken })).status).toBe(200);

    const foreign = await call(
      revoke,
      form({ token: accessToken }, { authorization: basic(other.clientId, other.clientSecret) }),
    );
    expect(foreign.status).toBe(400);
    expect(foreign.body.error).toBe("unauthorized_client");
    expect((await call(me, { bearer: accessToken })).status).toBe(200);

    const revoked = await call(revoke, form({ token: accessToken, token_type_hint: "access_token" }, auth));
    expect(revoked.status).toBe(200);
    expect((await call(me, { bearer: accessToken })).status).toBe(401);
    const server = await makeResourceServer();
    expect(
      (await call(introspect, form({ token: accessToken }, { authorization: server.authorization }))).body,
    ).toEqual({ active: false });
    expect((await call(revoke, form({ token: "unknown" }, auth))).status).toBe(200);
    expect((await call(revoke, form({ token: accessToken }))).status).toBe(401);
  });
});

describe("Keyward's part of the server metadata (RFC 8414, merged into the provider's discovery)", () => {
  it("names the issuer, endpoints, grant and auth methods", async () => {
    const body = serverMetadata();
    const issuer = getConfig().issuer;
    expect(body).toMatchObject({
      issuer,
      token_endpoint: `${issuer}/api/oauth/token`,
      jwks_uri: `${issuer}/.well-known/jwks.json`,
      introspection_endpoint: `${issuer}/api/oauth/introspect`,
      revocation_endpoint: `${issuer}/api/oauth/revoke`,
      grant_types_supported: ["client_credentials"],
      token_endpoint_auth_methods_supported: ["client_secret_basic", "client_secret_post"],
    });
  });
});
