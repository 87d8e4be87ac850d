import { describe, expect, it } from "vitest";

import type { Operation } from "@/lib/api/operation";
import { V1 } from "@/lib/api/v1-operations";
import { db } from "@/lib/db/client";
import { PERMISSIONS } from "@/lib/policy/permissions";
import { revokeToken, rotateToken } from "@/lib/tokens/manage-tokens";
import { disableUser } from "@/lib/users/manage-user";
import { mintTestToken } from "@/test/credentials";
import { makePrincipal, present, TEST_CONTEXT } from "@/test/factories";
import { call } from "@/test/requests";
import { V1_ROUTE_MODULES } from "@/test/v1-route-modules";

import * as me from "./me/route";
import * as token from "./tokens/[tokenId]/route";

type Handler = Parameters<typeof call>[0];
const MODULES = V1_ROUTE_MODULES;

/** Ids of the right shape that name nothing. */
const MISSING: Record<string, string> = {
  userId: "usr_missing0000000000000",
  roleId: "rol_missing0000000000000",
  tokenId: "tok_missing0000000000000",
  clientId: "cli_missing0000000000000",
  eventId: "999999999999",
  sessionId: "ses_missing0000000000000",
  apiId: "api_missing0000000000000",
  permissionId: "perm_missing0000000000000",
  credentialId: "rs_missing0000000000000",
  appId: "app_missing0000000000000",
  risk: "tokens.idle",
  acceptanceId: "rsk_missing0000000000000",
};

/** Path parameters that name a closed list (a risk list's key), not an object that may be missing. */
const NOT_OBJECTS = new Set(["risk"]);
const namesObject = (op: Operation) =>
  [...op.path.matchAll(/\{(\w+)\}/g)].some(([, name]) => !NOT_OBJECTS.has(name as string));

const inAWeek = new Date(Date.now() + 7 * 86_400_000).toISOString();

/** A valid body for each operation that takes one, so that only access decides the answer. */
const BODIES: Record<string, unknown> = {
  inviteUser: { email: "someone@example.test", name: "Someone" },
  updateUser: { name: "Renamed", email: "renamed@example.test" },
  createRole: { name: "Some role", permissions: [] },
  updateRole: { name: "Renamed role", permissions: [] },
  mintToken: { name: "t", scopes: ["users.read"], expiration: "7" },
  rotateToken: { overlapMinutes: 0 },
  createClient: { name: "c", scopes: ["users.read"] },
  updateClient: { name: "c", scopes: ["users.read"] },
  rotateClientSecret: {},
  reassignClient: { owner: MISSING.userId },
  acceptClientReassignment: { overlapMinutes: 0 },
  createApi: { name: "Orders API", identifier: "https://orders.example.test/" },
  updateApi: { description: "x" },
  addApiPermission: { name: "orders.read" },
  updateApiPermission: { deprecated: true },
  importApiPermissions: { permissions: [{ name: "orders.read" }] },

  createResourceServerCredential: { name: "rs" },
  rotateResourceServerSecret: { overlapMinutes: 0 },
  createApp: { kind: "web", name: "Portal", redirectUris: ["https://portal.example.test/cb"] },
  updateApp: { name: "Portal", redirectUris: ["https://portal.example.test/cb"] },
  rotateAppSecret: { overlapMinutes: 0 },
  setTokenExpiry: { expiresAt: inAWeek },
  setClientSecretExpiry: { expiresAt: inAWeek },
  remindOwner: { targetId: MISSING.tokenId },
  acceptRisk: { risk: "tokens.idle", targetId: MISSING.tokenId, reason: "Walked.", until: inAWeek },
  updateMyNotifications: { credentialDigest: true, failureAlerts: false },
};

const OPERATIONS = (Object.values(V1) as Operation[]).filter((op) => op.permission !== "public");

function request(op: Operation, options: { bearer?: string; cookie?: string } = {}) {
  const handler = MODULES[op.path]?.[op.method] as Handler | undefined;
  if (!handler) throw new Error(`no handler for ${op.method} ${op.path}`);
  const params = Object.fromEntries(
    [...op.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => [name, MISSING[name as string] as string]),
  );
  return call(handler, {
    method: op.method,
    path: `/api/v1${op.path}`,
    params,
    ...(BODIES[op.operationId] !== undefined ? { json: BODIES[op.operationId] } : {}),
    ...options,
  });
}

const context = TEST_CONTEXT;

describe("every /api/v1 operation", () => {
  it("has a route handler, and every v1 route handler has an operation", () => {
    for (const op of OPERATIONS)
      expect(MODULES[op.path]?.[op.method], `${op.method} ${op.path}`).toBeTypeOf("function");
    const declared = new Set(OPERATIONS.map((op) => `${op.method} ${op.path}`));
    for (const [path, module] of Object.entries(MODULES)) {
      for (const method of ["GET", "POST", "PUT", "PATCH", "DELETE"]) {
        if (module[method]) expect(declared.has(`${method} ${path}`), `${method} ${path}`).toBe(true);
      }
    }
  });

  it("answers 401 problem+json without a credential", async () => {
    for (const op of OPERATIONS) {
      const response = await request(op);
      expect(response.status, op.operationId).toBe(401);
      expect(response.headers.get("content-type"), op.operationId).toBe("application/problem+json");
      expect(response.body.type, op.operationId).toBe("urn:keyward:problem:unauthenticated");
    }
  });

  it("answers 401 invalid_token to expired, revoked, rotated-out and disabled-owner tokens", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const owners = await Promise.all([1, 2, 3, 4].map(() => makePrincipal(["admin"])));
    const [expired, revoked, rotated, disabled] = (
      await Promise.all(owners.map(({ principal }) => mintTestToken(principal, [...PERMISSIONS], "7")))
    ).map((minted) => present(minted));
    const [, revoker, rotator, victim] = owners.map((owner) => present(owner));
    await db.apiToken.update({
      where: { id: present(expired).id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await revokeToken({ actor: present(revoker).principal, tokenId: present(revoked).id, context });
    await rotateToken({
      actor: present(rotator).principal,
      tokenId: present(rotated).id,
      overlapMinutes: 0,
      context,
    });
    await disableUser({ actor: admin, userId: present(victim).user.id, context });
    const bad = { expired, revoked, rotated, disabled };
    for (const op of OPERATIONS) {
      for (const [name, minted] of Object.entries(bad)) {
        const response = await request(op, { bearer: present(minted).token });
        expect(response.status, `${op.operationId} with a ${name} token`).toBe(401);
        expect(response.headers.get("www-authenticate"), op.operationId).toBe(
          'Bearer realm="keyward", error="invalid_token"',
        );
      }
    }
  });

  it("answers 403 insufficient_scope to a credential lacking the operation's permission", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const narrow = await mintTestToken(principal, ["tokens.create"]);
    const other = await mintTestToken(principal, ["users.read"]);
    for (const op of OPERATIONS) {
      if (op.permission === "authenticated") continue;
      const credential = op.permission === "tokens.create" ? other : narrow;
      const response = await request(op, { bearer: credential.token });
      expect(response.status, op.operationId).toBe(403);
      expect(response.body.type, op.operationId).toBe("urn:keyward:problem:forbidden");
      expect(response.headers.get("www-authenticate"), op.operationId).toContain(
        'error="insufficient_scope"',
      );
    }
    // ASVS 16.3.2: refusals are on the record, naming the credential and what it tried.
    const denials = await db.auditEvent.findMany({
      where: { action: "access.denied", actorId: { in: [narrow.id, other.id] } },
    });
    expect(denials.length).toBeGreaterThan(0);
    expect(denials[0]).toMatchObject({ outcome: "denied", actorKind: "token" });
    expect(denials[0]?.details).toMatchObject({
      method: expect.any(String),
      path: expect.stringMatching(/^\/api\/v1\//),
    });
  });

  it("answers 404 for an object that does not exist or is not the caller's", async () => {
    const { principal } = await makePrincipal(["admin"]);
    const all = await mintTestToken(principal, [...PERMISSIONS]);
    // Session-only operations refuse any bearer first (app/sensitive-operations.int.test.ts).
    // A risk list's key is not an object: its lists answer 200 (the remedy's item is in the body).
    for (const op of OPERATIONS.filter((candidate) => namesObject(candidate) && !candidate.session)) {
      const response = await request(op, { bearer: all.token });
      // What only a signed-in person may do refuses every bearer credential before any lookup.
      if (response.body.type === "urn:keyward:problem:session_required") continue;
      expect(response.status, op.operationId).toBe(404);
      expect(response.body.type, op.operationId).toBe("urn:keyward:problem:not_found");
    }
    // Someone else's token is "not found" to a caller without tokens.read, whatever they hold.
    const { principal: developer } = await makePrincipal(["developer"]);
    const theirs = await mintTestToken(developer, ["tokens.create"]);
    const mine = await mintTestToken(principal, ["users.read"]);
    for (const handler of [token.GET, token.DELETE] as Handler[]) {
      const response = await call(handler, {
        bearer: mine.token,
        params: { tokenId: theirs.id },
        method: "GET",
      });
      expect(response.status).toBe(404);
    }
  });

  it("answers a malformed Authorization header with 400 invalid_request", async () => {
    for (const header of ["Bearer", "Basic dXNlcjpwYXNz", "Bearer two words", "Bearer é"]) {
      const response = await call(me.GET as Handler, { headers: { authorization: header } });
      expect(response.status, header).toBe(400);
      expect(response.headers.get("www-authenticate"), header).toContain('error="invalid_request"');
    }
  });
});
