import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

import fc from "fast-check";
import type { JWK } from "jose";
import { encode } from "next-auth/jwt";

import type { Operation } from "../lib/api/operation.ts";
import { V1 } from "../lib/api/v1-operations.ts";
import { SYSTEM_CONTEXT } from "../lib/auth/principal.ts";
import { createSession, resolveSession } from "../lib/auth/sessions.ts";
import { createClient } from "../lib/clients/manage-clients.ts";
import { newId } from "../lib/crypto/ids.ts";
import { db } from "../lib/db/client.ts";
import { mintToken } from "../lib/tokens/mint-token.ts";
import { PERMISSIONS } from "../lib/policy/permissions.ts";
import { passwordSignInSchema } from "../lib/auth/sign-in/schemas.ts";
import { BUILT_IN_API_ID } from "../lib/apis/built-in-api.ts";
import { createResourceServerCredential } from "../lib/resource-servers/manage-credentials.ts";
import { fieldsOf, hostileContentType, hostileJsonBody, hostileString } from "../test/fuzz.ts";
import {
  buildJwt,
  hostileJwtRecipe,
  installationTargets,
  type JwtTargets,
  mayBeAccepted,
} from "../test/fuzz-jwt.ts";
import { createTestUser, expect, test } from "./fixtures";

/**
 * Property-based fuzzing of every API route over HTTP, against the running server and its
 * PostgreSQL: hostile path ids, query strings, bodies, content types and credentials. Properties:
 * never a 5xx; every refusal of ours is a problem document (OAuth endpoints: RFC 6749 errors); and
 * no request that was refused wrote anything (no success event in the audit log carries its
 * request id: every write is recorded in its own transaction).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);
test.describe.configure({ mode: "default" });

type Target = {
  name: string;
  method: string;
  /** With {param} placeholders. */
  path: string;
  params: string[];
  query: string[];
  body: string[] | null;
  auth: "bearer" | "session" | "none" | "oauth";
};

const v1Targets: Target[] = Object.values(V1 as Record<string, Operation>).map((op) => ({
  name: `${op.method} /api/v1${op.path}`,
  method: op.method,
  path: `/api/v1${op.path}`,
  params: fieldsOf(op.params),
  query: fieldsOf(op.query),
  body: op.body ? fieldsOf(op.body) : null,
  // Session-only operations refuse every bearer credential before reading the body: fuzz them with
  // the session, so their input still reaches the handler.
  auth: op.permission === "public" ? "none" : op.session ? "session" : "bearer",
}));

const post = (path: string, body: string[] | null, auth: Target["auth"]): Target => ({
  name: `POST ${path}`,
  method: "POST",
  path,
  params: [],
  query: [],
  body,
  auth,
});

const otherTargets: Target[] = [
  post("/api/auth/sign-in/password", fieldsOf(passwordSignInSchema), "none"),
  post("/api/auth/sign-in/factor", ["method", "code"], "none"),
  post("/api/auth/sign-in/webauthn/options", null, "none"),
  post("/api/auth/sign-in/webauthn/verify", ["id", "rawId", "response", "type"], "none"),
  post("/api/auth/passkey/options", null, "none"),
  post("/api/auth/passkey/verify", ["id", "rawId", "response", "type"], "none"),
  post("/api/auth/reauth", ["password", "code"], "session"),
  post("/api/auth/reauth/passkey/options", null, "session"),
  post("/api/auth/reauth/passkey/verify", ["id", "rawId", "response", "type"], "session"),
  post("/api/account/passkeys/options", ["name"], "session"),
  post("/api/account/passkeys/register", ["name", "response"], "session"),
  post("/api/setup", ["code", "email", "name", "password"], "none"),
  post("/api/auth/callback/attempt", ["csrfToken"], "session"),
  post("/api/oauth/token", ["grant_type", "scope", "resource", "client_id", "client_secret"], "oauth"),
  post("/api/oauth/introspect", ["token", "token_type_hint", "client_id", "client_secret"], "oauth"),
  post("/api/oauth/revoke", ["token", "token_type_hint", "client_id", "client_secret"], "oauth"),
  { ...post("/api/oauth/jwks", null, "none"), name: "GET /api/oauth/jwks", method: "GET" },
  { ...post("/.well-known/oauth-authorization-server", null, "none"), name: "GET metadata", method: "GET" },
  ...["/api/oauth/metadata", "/api/health", "/api/ready", "/api/v1/openapi.json"].map((path): Target => ({
    ...post(path, null, "none"),
    name: `GET ${path}`,
    method: "GET",
  })),
];

/** Every route handler file under app/api, as a URL template ("[userId]" becomes "{userId}"). */
function routeFiles(dir = path.join(import.meta.dirname, "..", "app", "api")): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return routeFiles(full);
    if (entry.name !== "route.ts") return [];
    const relative = path.relative(path.join(import.meta.dirname, ".."), path.dirname(full));
    return [`/${relative.replace(/^app\//, "").replace(/\[(\w+)\]/g, "{$1}")}`];
  });
}

type Credentials = { bearer: string; cookie: string };

/** A fresh Administrator with a session cookie and an all-scope token: input reaches the handlers. */
async function credentials(): Promise<Credentials> {
  const admin = await createTestUser({ roles: ["admin"], label: "fuzz" });
  const session = await db.$transaction((tx) =>
    createSession(tx, { userId: admin.id, amr: ["pwd"], mfa: false, context: SYSTEM_CONTEXT }),
  );
  const principal = await resolveSession(session.id);
  if (!principal) throw new Error("the fuzzing session did not resolve");
  const token = await mintToken({
    actor: principal,
    name: "fuzz",
    scopes: [...PERMISSIONS],
    expiration: "7",
    context: SYSTEM_CONTEXT,
  });
  const jwt = await encode({
    token: { sub: admin.id, sid: session.id },
    secret: process.env.KEYWARD_SECRET ?? "",
  });
  return { bearer: token.token, cookie: `kw_session=${jwt}` };
}

/** Real ids mixed with hostile text, so some requests reach rows that exist. */
async function realIds(): Promise<string[]> {
  const member = await createTestUser({ label: "fuzz-target" });
  const role = await db.role.findFirstOrThrow({ where: { builtInKey: "member" } });
  // A registered API with a permission, so /apis/{apiId}/… reaches real rows too (issue 14).
  const suffix = randomBytes(4).toString("hex");
  const api = await db.api.create({
    data: {
      id: newId("api"),
      name: `Fuzz API ${suffix}`,
      identifier: `https://fuzz-${suffix}.example.test/`,
      permissions: { create: { id: newId("perm"), name: "fuzz.read" } },
    },
    include: { permissions: true },
  });
  return [member.id, role.id, member.email, api.id, ...api.permissions.map((permission) => permission.id)];
}

function requestArbitrary(target: Target, ids: string[]) {
  // Path segments: hostile text (percent-encoded, as a client must), real ids, and raw malformed
  // escapes that the server itself has to decode.
  const segment = fc.oneof(
    { weight: 3, arbitrary: hostileString.map((text) => encodeURIComponent(text.toWellFormed())) },
    { weight: 1, arbitrary: fc.constantFrom(...ids) },
    { weight: 1, arbitrary: fc.constantFrom("%", "%E0%A4%A", "%00", "%C0%AF", "%2e%2e", "%ZZ", "..") },
  );
  const query = fc.dictionary(
    target.query.length > 0 ? fc.oneof(fc.constantFrom(...target.query), hostileString) : hostileString,
    hostileString,
    { maxKeys: 4 },
  );
  const auth = fc.constantFrom(
    ...(target.auth === "bearer"
      ? (["bearer", "bearer", "session", "none", "junk"] as const)
      : target.auth === "session"
        ? (["session", "session", "none", "junk"] as const)
        : (["none", "junk"] as const)),
  );
  const body =
    target.body === null ? fc.constant(undefined) : fc.option(hostileJsonBody(target.body), { freq: 8 });
  return fc.record({
    params: fc.tuple(...target.params.map(() => segment)),
    query,
    body,
    contentType: hostileContentType,
    auth,
    basic: fc.option(hostileString, { freq: 2 }),
  });
}

/** What an HTTP client can send in a header at all: printable Latin-1, bounded. */
const headerSafe = (value: string) => value.replace(/[^\x20-\x7e\x80-\xff]/g, "?").slice(0, 4000);

const refused: string[] = [];
let cases = 0;

test("the fuzzing covers every route handler", () => {
  const covered = new Set([...v1Targets, ...otherTargets].map((target) => target.path));
  // next-auth's catch-all is fuzzed through its session exchange.
  covered.add("/api/auth/[...nextauth]");
  const missing = routeFiles().filter((route) => !covered.has(route));
  expect(missing).toEqual([]);
});

/**
 * Hostile JWTs (test/fuzz-jwt.ts) against the running server: structurally valid tokens with
 * hostile headers and claims, some signed by our real key, as the bearer credential of every
 * authenticated v1 route and as the `token` of introspection and revocation. Properties: never a
 * 5xx; a refused bearer is 401 invalid_token as a problem document; introspection answers inactive
 * and revocation 200, unless the token is one we would have issued. It runs before the fuzzing
 * below, whose junk client credentials exhaust this address's client-authentication limit (a
 * count kept in the server's memory, which the test cannot clear) that these requests must pass.
 */
test.describe("every JWT reader under hostile tokens", () => {
  const JWT_RUNS = Math.max(10, Math.floor(RUNS / 3));
  let targets: JwtTargets;
  let oauthAuthorization: string;
  /** Introspection takes a resource-server credential (of Keyward's own API), not a client. */
  let introspectionAuthorization: string;

  test.beforeAll(async ({ playwright }) => {
    // Hooks get worker fixtures only: a request context of its own.
    const request = await playwright.request.newContext({ baseURL: test.info().project.use.baseURL });
    const admin = await createTestUser({ roles: ["admin"], label: "fuzz-jwt" });
    const session = await db.$transaction((tx) =>
      createSession(tx, { userId: admin.id, amr: ["pwd"], mfa: false, context: SYSTEM_CONTEXT }),
    );
    const principal = await resolveSession(session.id);
    if (!principal) throw new Error("the fuzzing session did not resolve");
    const client = await createClient({
      actor: principal,
      name: "fuzz-jwt",
      description: "",
      scopes: ["users.read"],
      context: SYSTEM_CONTEXT,
    });
    oauthAuthorization = `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString("base64")}`;
    const server = await createResourceServerCredential({
      actor: principal,
      apiId: BUILT_IN_API_ID,
      name: "fuzz-jwt",
      context: SYSTEM_CONTEXT,
    });
    introspectionAuthorization = `Basic ${Buffer.from(`${server.clientId}:${server.clientSecret}`).toString("base64")}`;
    // A real token first: the server creates its signing key on first use.
    const issued = await request.post("/api/oauth/token", {
      headers: { authorization: oauthAuthorization },
      form: { grant_type: "client_credentials" },
    });
    expect(issued.status()).toBe(200);
    const jwks = async () => ((await (await request.get("/api/oauth/jwks")).json()) as { keys: JWK[] }).keys;
    targets = await installationTargets(jwks, client.clientId);
    await request.dispose();
  });

  for (const target of v1Targets.filter((candidate) => candidate.auth === "bearer")) {
    test(`${target.name}: a hostile bearer JWT is 401 invalid_token, never a 5xx`, async ({ request }) => {
      const path = target.params.reduce((at, name) => at.replace(`{${name}}`, "x"), target.path);
      await fc.assert(
        fc.asyncProperty(hostileJwtRecipe(targets), async (recipe) => {
          const token = await buildJwt(recipe, targets);
          const response = await request.fetch(path, {
            method: target.method,
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            data: target.body === null ? undefined : "{}",
            maxRedirects: 0,
          });
          const where = `${target.method} ${path} -> ${response.status()}: ${recipe.header} ${recipe.payload}`;
          expect(response.status(), where).toBeLessThan(500);
          if (response.status() === 401) {
            expect(response.headers()["www-authenticate"], where).toContain('error="invalid_token"');
            expect(response.headers()["content-type"], where).toContain("application/problem+json");
          } else {
            expect(mayBeAccepted(recipe, token, targets), where).toBe(true);
          }
        }),
        { numRuns: JWT_RUNS },
      );
    });
  }

  for (const endpoint of ["introspect", "revoke"] as const) {
    test(`POST /api/oauth/${endpoint}: a hostile token is answered 200, never a 5xx`, async ({ request }) => {
      await fc.assert(
        fc.asyncProperty(hostileJwtRecipe(targets), async (recipe) => {
          const token = await buildJwt(recipe, targets);
          const response = await request.post(`/api/oauth/${endpoint}`, {
            headers: {
              authorization: endpoint === "introspect" ? introspectionAuthorization : oauthAuthorization,
            },
            form: { token },
          });
          const where = `${endpoint} -> ${response.status()}: ${recipe.header} ${recipe.payload}`;
          const accepted = mayBeAccepted(recipe, token, targets);
          if (endpoint === "revoke" && response.status() === 400 && recipe.signature === "ours") {
            // A token our key signed for another client_id is not this client's to revoke.
            expect(((await response.json()) as { error: string }).error, where).toBe("unauthorized_client");
            return;
          }
          expect(response.status(), where).toBe(200);
          if (endpoint === "introspect" && !accepted)
            expect(await response.json(), where).toEqual({ active: false });
        }),
        { numRuns: JWT_RUNS },
      );
    });
  }
});

test.describe("every API route under hostile input", () => {
  let creds: Credentials;
  let ids: string[];
  test.beforeAll(async () => {
    creds = await credentials();
    ids = await realIds();
  });

  for (const target of [...v1Targets, ...otherTargets]) {
    test(`${target.name}: never a 5xx, refusals are problem documents`, async ({ request }) => {
      // A token of its own per route: the per-credential request limit is not what is under test.
      // A fresh sign-in too, so session-only operations are inside the step-up window.
      if (target.auth === "bearer" || target.auth === "session")
        creds = { ...creds, ...(await credentials()) };
      await fc.assert(
        fc.asyncProperty(requestArbitrary(target, ids), async (input) => {
          let path = target.path;
          target.params.forEach((name, i) => {
            path = path.replace(`{${name}}`, input.params[i] ?? "");
          });
          const search = new URLSearchParams(input.query).toString();
          const headers: Record<string, string> = {};
          if (input.contentType) headers["content-type"] = input.contentType;
          if (input.auth === "bearer") headers.authorization = `Bearer ${creds.bearer}`;
          if (input.auth === "session") headers.cookie = creds.cookie;
          if (input.auth === "junk")
            headers.authorization = headerSafe(`Bearer ${input.basic ?? "kw_pat_junk"}`);
          if (target.auth === "oauth" && input.basic !== null) {
            headers.authorization = `Basic ${Buffer.from(input.basic).toString("base64")}`.slice(0, 4000);
          }
          cases++;
          const response = await request.fetch(`${path}${search ? `?${search}` : ""}`, {
            method: target.method,
            headers,
            data: input.body ?? undefined,
            maxRedirects: 0,
          });
          const status = response.status();
          const type = response.headers()["content-type"] ?? "";
          const where = `${target.method} ${path} -> ${status}`;
          expect(status, where).toBeLessThan(500);
          if (status >= 400) {
            refused.push(response.headers()["x-request-id"] ?? "");
            // 404, 405 and 431 come from the router and the HTTP parser, before any handler.
            const routed = ![404, 405, 431].includes(status);
            const ours = routed && path.startsWith("/api/") && !path.startsWith("/api/auth/callback");
            if (ours && target.auth === "oauth" && status !== 413) expect(type, where).toMatch(/json/);
            else if (ours) expect(type, where).toContain("application/problem+json");
          }
        }),
        { numRuns: RUNS },
      );
    });
  }

  test.afterAll(async () => {
    const written = await db.auditEvent.findMany({
      where: { requestId: { in: refused.filter(Boolean) }, outcome: "success" },
      select: { action: true, requestId: true },
    });
    console.warn(
      `[fuzz] API over HTTP: ${v1Targets.length + otherTargets.length} routes, ${cases} requests, ${refused.length} refused`,
    );
    expect(written).toEqual([]);
    // The fuzzing's wrong passwords came from this machine's address: give later tests a clean slate.
    await db.$executeRaw`DELETE FROM rate_limits WHERE key LIKE ${"%127.0.0.1%"} OR key LIKE ${"%::1%"}`;
  });
});
