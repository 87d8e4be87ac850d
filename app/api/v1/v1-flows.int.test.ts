import { describe, expect, it } from "vitest";

import { clientResource } from "@/lib/api/resources";
import { resetConfigForTests } from "@/lib/config/env";
import { resolveSession } from "@/lib/auth/sessions";
import { db } from "@/lib/db/client";
import { PERMISSIONS } from "@/lib/policy/permissions";
import { builtInRoleId } from "@/lib/roles/ensure-built-in-roles";
import { clientAccessToken, developerWith, mintTestToken } from "@/test/credentials";
import { makeApi } from "@/test/api-factories";
import { makePrincipal, makeRole, makeUser, signedInCookie } from "@/test/factories";
import { call } from "@/test/requests";

import * as auditEvents from "./audit-events/route";
import * as clients from "./clients/route";
import * as client from "./clients/[clientId]/route";
import * as clientSecret from "./clients/[clientId]/secret/route";
import * as me from "./me/route";
import * as openapi from "./openapi.json/route";
import * as roles from "./roles/route";
import * as tokenRotate from "./tokens/[tokenId]/rotate/route";
import * as token from "./tokens/[tokenId]/route";
import * as tokens from "./tokens/route";
import * as userRole from "./users/[userId]/roles/[roleId]/route";
import * as userSession from "./users/[userId]/sessions/[sessionId]/route";
import * as userSessions from "./users/[userId]/sessions/route";
import * as user from "./users/[userId]/route";
import * as users from "./users/route";

type Handler = Parameters<typeof call>[0];
const h = (handler: unknown) => handler as Handler;

describe("REST API v1 with a personal token", () => {
  it("mints from a session, uses, rotates and revokes a token through the API", async () => {
    const { user: owner } = await developerWith(["users.read"]);
    const { cookie } = await signedInCookie(owner.id);
    const minted = await call(h(tokens.POST), {
      cookie,
      json: { name: "deploy", scopes: ["users.read"], expiration: "30" },
    });
    expect(minted.status).toBe(201);
    expect(minted.headers.get("location")).toBe(`/api/v1/tokens/${String(minted.body.id)}`);
    const secret = String(minted.body.token);

    const asToken = await call(h(me.GET), { bearer: secret });
    expect(asToken.body).toMatchObject({ kind: "token", id: owner.id, permissions: ["users.read"] });
    expect(asToken.headers.get("ratelimit-policy")).toMatch(/q=\d+;w=60/);

    // A token cannot mint another.
    const child = await call(h(tokens.POST), {
      bearer: secret,
      json: { name: "child", scopes: ["users.read"], expiration: "7" },
    });
    expect(child.status).toBe(403);

    const listed = await call(h(tokens.GET), { bearer: secret });
    expect((listed.body.items as { id: string; fragment: string }[]).map((item) => item.id)).toEqual([
      minted.body.id,
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(secret);

    const rotated = await call(h(tokenRotate.POST), {
      cookie,
      params: { tokenId: String(minted.body.id) },
      json: { overlapMinutes: 0 },
    });
    expect(rotated.status).toBe(200);
    expect((await call(h(me.GET), { bearer: secret })).status).toBe(401);
    const next = String(rotated.body.token);
    expect((await call(h(me.GET), { bearer: next })).status).toBe(200);

    const revoked = await call(h(token.DELETE), {
      bearer: next,
      method: "DELETE",
      params: { tokenId: String(minted.body.id) },
    });
    expect(revoked.status).toBe(204);
    expect((await call(h(me.GET), { bearer: next })).status).toBe(401);
  });

  it("pages and filters users with the same rules as the UI", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const pat = await mintTestToken(principal, ["users.read"]);
    const marker = `paging${Date.now()}`;
    for (let i = 0; i < 3; i++)
      await db.user.update({ where: { id: (await makeUser()).id }, data: { name: `${marker} ${i}` } });
    const first = await call(h(users.GET), {
      bearer: pat.token,
      path: `/api/v1/users?q=${marker}&limit=2&sort=name`,
    });
    expect(first.status).toBe(200);
    expect((first.body.items as { name: string }[]).map((item) => item.name)).toEqual([
      `${marker} 0`,
      `${marker} 1`,
    ]);
    const second = await call(h(users.GET), {
      bearer: pat.token,
      path: `/api/v1/users?q=${marker}&limit=2&sort=name&after=${String(first.body.nextCursor)}`,
    });
    expect((second.body.items as { name: string }[]).map((item) => item.name)).toEqual([`${marker} 2`]);
    expect(second.body.nextCursor).toBeNull();

    const bad = await call(h(users.GET), { bearer: pat.token, path: "/api/v1/users?limit=1000&status=gone" });
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { path: string }[]).map((issue) => issue.path).sort()).toEqual([
      "limit",
      "status",
    ]);
  });

  it("pages roles with a cursor and refuses a malformed page request", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const pat = await mintTestToken(principal, ["roles.read"]);
    const marker = `rolepage${Date.now()}`;
    for (const letter of ["a", "b", "c"]) await makeRole([], `${marker} ${letter}`);
    const first = await call(h(roles.GET), { bearer: pat.token, path: `/api/v1/roles?q=${marker}&limit=2` });
    expect(first.status).toBe(200);
    expect((first.body.items as { name: string }[]).map((item) => item.name)).toEqual([
      `${marker} a`,
      `${marker} b`,
    ]);
    const second = await call(h(roles.GET), {
      bearer: pat.token,
      path: `/api/v1/roles?q=${marker}&limit=2&after=${String(first.body.nextCursor)}`,
    });
    expect((second.body.items as { name: string }[]).map((item) => item.name)).toEqual([`${marker} c`]);
    expect(second.body.nextCursor).toBeNull();
    const bad = await call(h(roles.GET), { bearer: pat.token, path: "/api/v1/roles?limit=0&after=x" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toBe("application/problem+json");
    expect((bad.body.errors as { path: string }[]).map((issue) => issue.path).sort()).toEqual([
      "after",
      "limit",
    ]);
  });

  it("applies the grant rules to role assignment: a token grants only what its scopes hold", async () => {
    const { user: target } = await developerWith(["users.read"]);
    const { principal: admin } = await makePrincipal(["admin"]);
    const adminRole = await builtInRoleId(db, "admin");
    const params = { userId: target.id, roleId: adminRole };

    // The owner is an Administrator, but this token carries only users.*: it cannot hand out the rest.
    const narrow = await mintTestToken(admin, ["users.read", "users.write"]);
    const refused = await call(h(userRole.PUT), { bearer: narrow.token, method: "PUT", params });
    expect(refused.status).toBe(403);
    expect(String(refused.body.detail)).toContain("settings.write");

    const full = await mintTestToken(admin, [...PERMISSIONS]);
    const everyKeywardPermission = await makeRole([...PERMISSIONS]);
    const granted = await call(h(userRole.PUT), {
      bearer: full.token,
      method: "PUT",
      params: { userId: target.id, roleId: everyKeywardPermission.id },
    });
    expect(granted.status).toBe(200);
    expect((granted.body.roles as { name: string }[]).map((role) => role.name)).toContain(
      everyKeywardPermission.name,
    );
    // Administrator also carries every other API's permissions, which no bearer grants (issue 14).
    await makeApi({ permissions: ["orders.read"] });
    const administrator = await call(h(userRole.PUT), { bearer: full.token, method: "PUT", params });
    expect(administrator.status).toBe(403);
    expect(String(administrator.body.detail)).toContain("signed-in session");

    const { principal: developer } = await makePrincipal(["developer"]);
    const devToken = await mintTestToken(developer, ["tokens.create"]);
    const escalation = await call(h(userRole.PUT), {
      bearer: devToken.token,
      method: "PUT",
      params: { userId: developer.userId, roleId: adminRole },
    });
    expect(escalation.status).toBe(403);
  });

  it("refuses bodies that are not JSON, too large, or malformed, with problem details", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const pat = await mintTestToken(principal, ["roles.write", "roles.read"]);
    const wrongType = await call(h(roles.POST), {
      bearer: pat.token,
      method: "POST",
      body: "name=x",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(wrongType.status).toBe(415);
    const large = await call(h(roles.POST), { bearer: pat.token, json: { name: "x".repeat(70_000) } });
    expect(large.status).toBe(413);
    const broken = await call(h(roles.POST), {
      bearer: pat.token,
      method: "POST",
      body: "{",
      headers: { "content-type": "application/json" },
    });
    expect(broken.status).toBe(400);
    const invalid = await call(h(roles.POST), {
      bearer: pat.token,
      json: { name: "", permissions: ["root"] },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get("content-type")).toBe("application/problem+json");
    expect((invalid.body.errors as { path: string }[]).map((issue) => issue.path)).toEqual([
      "name",
      "permissions.0",
    ]);
    const escalate = await call(h(roles.POST), {
      bearer: pat.token,
      json: { name: "All", permissions: ["users.write"] },
    });
    expect(escalate.status).toBe(403);
    expect(await db.role.count({ where: { name: "All" } })).toBe(0);
  });

  it("updates a user and reads the audit log", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const pat = await mintTestToken(principal, ["users.read", "users.write", "audit.read"]);
    const target = await makeUser();
    const patched = await call(h(user.PATCH), {
      bearer: pat.token,
      method: "PATCH",
      params: { userId: target.id },
      json: { name: "Via API", email: target.email },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.name).toBe("Via API");
    const events = await call(h(auditEvents.GET), {
      bearer: pat.token,
      path: `/api/v1/audit-events?target=${target.id}&action=user.updated`,
    });
    const items = events.body.items as { actor: { kind: string; id: string }; action: string }[];
    expect(items).toHaveLength(1);
    expect(items[0]?.actor).toMatchObject({ kind: "token", id: pat.id });
  });

  // ASVS 8.2.3 (BOPLA): only the fields an operation declares are written; the rest are dropped,
  // and responses carry only the declared fields (no password hash, no secrets).
  it("ignores fields a request may not set, and never returns fields it may not read", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const pat = await mintTestToken(principal, ["users.read", "users.write"]);
    const target = await makeUser();
    const patched = await call(h(user.PATCH), {
      bearer: pat.token,
      method: "PATCH",
      params: { userId: target.id },
      json: {
        name: "Mass assigned",
        email: target.email,
        id: "usr_hijacked00000000000",
        status: "disabled",
        roles: ["admin"],
        password: { hash: "x" },
        createdAt: "2000-01-01T00:00:00Z",
      },
    });
    expect(patched.status).toBe(200);
    const row = await db.user.findUniqueOrThrow({
      where: { id: target.id },
      include: { roles: true, password: true },
    });
    expect(row).toMatchObject({ name: "Mass assigned", status: "active" });
    expect(row.roles).toEqual([]);
    expect(row.password?.hash).toMatch(/^\$argon2id\$/);
    expect(row.createdAt.getFullYear()).toBeGreaterThan(2000);
    expect(JSON.stringify(patched.body)).not.toMatch(/argon2|hash|password/i);
  });
});

describe("sessions through the API", () => {
  it("lists a user's sessions and ends one, then all", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const pat = await mintTestToken(principal, ["users.read", "users.write"]);
    const member = await makeUser();
    const first = await signedInCookie(member.id);
    const second = await signedInCookie(member.id);
    const listed = await call(h(userSessions.GET), { bearer: pat.token, params: { userId: member.id } });
    expect(listed.status).toBe(200);
    expect((listed.body.items as { id: string; device: string }[]).map((item) => item.id).sort()).toEqual(
      [first.sessionId, second.sessionId].sort(),
    );
    const ended = await call(h(userSession.DELETE), {
      bearer: pat.token,
      method: "DELETE",
      params: { userId: member.id, sessionId: first.sessionId },
    });
    expect(ended.status).toBe(204);
    expect(await resolveSession(first.sessionId)).toBeNull();
    const wrongUser = await call(h(userSession.DELETE), {
      bearer: pat.token,
      method: "DELETE",
      params: { userId: principal.userId, sessionId: second.sessionId },
    });
    expect(wrongUser.status).toBe(404);
    const all = await call(h(userSessions.DELETE), {
      bearer: pat.token,
      method: "DELETE",
      params: { userId: member.id },
    });
    expect(all.body).toEqual({ ended: 1 });
    expect(await resolveSession(second.sessionId)).toBeNull();
  });
});

describe("REST API v1 with a client", () => {
  it("registers a client from a session, gets a token and uses it; rotation with overlap keeps the old secret a while", async () => {
    const { user: developer, principal } = await developerWith(["users.read", "clients.read"]);
    const { cookie } = await signedInCookie(developer.id);
    const dev = await mintTestToken(principal, ["clients.write", "clients.read", "users.read"]);
    // A bearer credential never registers a client nor rotates a secret (it would outlive the token).
    const viaToken = await call(h(clients.POST), {
      bearer: dev.token,
      json: { name: "billing", description: "Nightly sync", scopes: ["users.read"] },
    });
    expect(viaToken.status).toBe(403);
    expect(viaToken.body.type).toBe("urn:keyward:problem:session_required");
    expect(JSON.stringify(viaToken.body)).not.toContain("kw_cs_");
    const created = await call(h(clients.POST), {
      cookie,
      json: { name: "billing", description: "Nightly sync", scopes: ["users.read"] },
    });
    expect(created.status).toBe(201);
    const clientId = String(created.body.clientId);
    const secret = String(created.body.clientSecret);
    expect(secret).toMatch(/^kw_cs_/);
    const accessToken = await clientAccessToken(clientId, secret);
    expect((await call(h(users.GET), { bearer: accessToken })).status).toBe(200);
    expect((await call(h(roles.GET), { bearer: accessToken })).status).toBe(403);

    const rotatedByToken = await call(h(clientSecret.POST), {
      bearer: dev.token,
      params: { clientId },
      json: { overlapMinutes: 30 },
    });
    expect(rotatedByToken.body.type).toBe("urn:keyward:problem:session_required");
    const rotated = await call(h(clientSecret.POST), {
      cookie,
      params: { clientId },
      json: { overlapMinutes: 30 },
    });
    expect(rotated.status).toBe(200);
    await clientAccessToken(clientId, secret);
    await clientAccessToken(clientId, String(rotated.body.clientSecret));

    const escalation = await call(h(clients.POST), {
      cookie,
      json: { name: "wide", scopes: ["users.write"] },
    });
    expect(escalation.status).toBe(403);
  });
});

describe("REST API v1: a client requiring DPoP", () => {
  it("is registered requiring it, returns it as documented, keeps it on a PATCH without it, and clears it", async () => {
    const { user: developer } = await developerWith(["users.read", "clients.read"]);
    const { cookie } = await signedInCookie(developer.id);
    const name = `bound-${developer.id}`;
    const created = await call(h(clients.POST), {
      cookie,
      json: { name: `${name} v1`, scopes: ["users.read"], requireDpop: true },
    });
    expect(created.status).toBe(201);
    const clientId = String(created.body.clientId);
    const read = async () => {
      const response = await call(h(client.GET), { cookie, params: { clientId } });
      expect(clientResource.parse(response.body)).toEqual(response.body);
      return response.body;
    };
    expect(await read()).toMatchObject({ id: clientId, requireDpop: true });
    const patch = (json: Record<string, unknown>) =>
      call(h(client.PATCH), {
        cookie,
        method: "PATCH",
        params: { clientId },
        json: { name, scopes: ["users.read"], ...json },
      });
    const kept = await patch({ description: "renamed" });
    expect(kept.status).toBe(200);
    expect(clientResource.parse(kept.body)).toEqual(kept.body);
    expect(kept.body).toMatchObject({ name, requireDpop: true });
    expect((await patch({ requireDpop: false })).body.requireDpop).toBe(false);
    expect(await read()).toMatchObject({ requireDpop: false });
    const listed = await call(h(clients.GET), { cookie, path: `/api/v1/clients?q=${name}` });
    expect(listed.body.items).toMatchObject([{ id: clientId, requireDpop: false }]);
    const events = await db.auditEvent.findMany({
      where: { targetId: clientId, action: "client.updated" },
      orderBy: { id: "asc" },
    });
    expect(events.map((event) => event.details)).toMatchObject([
      { before: { requireDpop: true }, after: { requireDpop: true, description: "renamed" } },
      { before: { requireDpop: true }, after: { requireDpop: false } },
    ]);
  });
});

describe("limits and documentation", () => {
  it("answers 429 with Retry-After and RateLimit fields once a credential exceeds its limit", async () => {
    const previous = process.env.KEYWARD_API_RATE_LIMIT;
    process.env.KEYWARD_API_RATE_LIMIT = "3";
    resetConfigForTests();
    try {
      const { principal } = await developerWith([]);
      const pat = await mintTestToken(principal, ["tokens.create"]);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(h(me.GET), { bearer: pat.token })).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await call(h(me.GET), { bearer: pat.token });
      expect(limited.body.type).toBe("urn:keyward:problem:rate_limited");
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(limited.headers.get("ratelimit")).toMatch(/r=0;t=\d+/);
      // Another credential has its own budget.
      const other = await mintTestToken(principal, ["tokens.create"]);
      expect((await call(h(me.GET), { bearer: other.token })).status).toBe(200);
    } finally {
      if (previous === undefined) delete process.env.KEYWARD_API_RATE_LIMIT;
      else process.env.KEYWARD_API_RATE_LIMIT = previous;
      resetConfigForTests();
    }
  });

  it("publishes an OpenAPI 3.1 document covering every operation with its errors", async () => {
    const response = await call(h(openapi.GET));
    expect(response.status).toBe(200);
    const doc = response.body as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/api/v1/users/{userId}/roles/{roleId}");
    const mint = doc.paths["/api/v1/tokens"]?.post;
    expect(Object.keys(mint?.responses ?? {})).toEqual(
      expect.arrayContaining(["201", "400", "401", "403", "413", "415", "429"]),
    );
  });
});
