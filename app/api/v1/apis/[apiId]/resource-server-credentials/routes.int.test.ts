import { describe, expect, it } from "vitest";

import { mintTestToken } from "@/test/credentials";
import { makePrincipal, makeUser, signedInCookie } from "@/test/factories";
import { call } from "@/test/requests";
import { introspectAs } from "@/test/resource-servers";

import * as revokeRoute from "./[credentialId]/route";
import * as rotateRoute from "./[credentialId]/rotate/route";
import * as listRoute from "./route";
import { makeApi } from "@/test/api-factories";

// Guarantee: over REST, an API's owner makes a resource-server credential (secret once) that
// introspects at once; a bearer never gets a secret; others are refused.

describe("/api/v1/apis/{id}/resource-server-credentials", () => {
  it("the owner creates (201, secret once), lists, rotates and revokes over REST", async () => {
    const owner = await makeUser({ roles: ["member"] });
    const api = await makeApi({ permissions: ["orders.read"], ownerId: owner.id });
    const { cookie } = await signedInCookie(owner.id);
    const created = await call(listRoute.POST, { cookie, params: { apiId: api.id }, json: { name: "prod" } });
    expect(created.status).toBe(201);
    const clientId = String(created.body.clientId);
    const secret = String(created.body.clientSecret);
    expect(secret).toMatch(/^kw_rs_/);
    expect(created.headers.get("location")).toBe(
      `/api/v1/apis/${api.id}/resource-server-credentials/${clientId}`,
    );
    // It authenticates introspection at once (an unknown token is simply inactive).
    const basic = `Basic ${Buffer.from(`${clientId}:${secret}`).toString("base64")}`;
    const asked = await introspectAs(basic, "kw_pat_unknown");
    expect(asked.status).toBe(200);
    expect(asked.body).toEqual({ active: false });

    const listed = await call(listRoute.GET, { cookie, params: { apiId: api.id } });
    expect(listed.status).toBe(200);
    expect(listed.body.items).toMatchObject([{ id: clientId, status: "active", name: "prod" }]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    const params = { apiId: api.id, credentialId: clientId };
    const rotated = await call(rotateRoute.POST, { cookie, params, json: { overlapMinutes: 0 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ clientId, oldSecretExpiresAt: null });
    expect((await introspectAs(basic, "kw_pat_unknown")).status).toBe(401);

    const revoked = await call(revokeRoute.DELETE, { cookie, params, method: "DELETE" });
    expect(revoked.status).toBe(204);
    const next = `Basic ${Buffer.from(`${clientId}:${String(rotated.body.clientSecret)}`).toString("base64")}`;
    expect((await introspectAs(next, "kw_pat_unknown")).status).toBe(401);
  });

  it("answers 400 to bad input, 403 session_required to a bearer, 403 to a stranger, 404 to an unknown API", async () => {
    const admin = await makePrincipal(["admin"]);
    const api = await makeApi({ permissions: ["orders.read"] });
    const { cookie } = await signedInCookie(admin.user.id);
    const bad = await call(listRoute.POST, { cookie, params: { apiId: api.id }, json: { name: "" } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
    const badId = await call(listRoute.GET, { cookie, params: { apiId: "not an id" } });
    expect(badId.status).toBe(400);

    const pat = await mintTestToken(admin.principal, ["apis.write", "apis.read"]);
    const bearer = await call(listRoute.POST, {
      bearer: pat.token,
      params: { apiId: api.id },
      json: { name: "x" },
    });
    expect(bearer.status).toBe(403);
    expect(bearer.body.type).toBe("urn:keyward:problem:session_required");
    expect((await call(listRoute.GET, { bearer: pat.token, params: { apiId: api.id } })).status).toBe(200);

    const stranger = await makeUser({ roles: ["member"] });
    const theirs = await signedInCookie(stranger.id);
    const refused = await call(listRoute.POST, {
      cookie: theirs.cookie,
      params: { apiId: api.id },
      json: { name: "x" },
    });
    expect(refused.status).toBe(403);
    const missing = await call(listRoute.GET, { cookie, params: { apiId: "api_missing000000000000" } });
    expect(missing.status).toBe(404);
  });
});
