import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { GET } from "../../app/api/v1/search/route.ts";
import { makeTestClient, mintTestToken } from "../../test/credentials.ts";
import { makePrincipal, makeRole, makeUser, signedInCookie } from "../../test/factories.ts";
import { call } from "../../test/requests.ts";
import { db } from "../db/client.ts";
import { searchConsole } from "./console-search.ts";
import { consoleSearchResultSchema, consoleSearchSchema } from "./search-schemas.ts";

/**
 * The command palette never shows what its user may not open: users, roles and clients only to
 * those who may list them, through the lists' own queries; and whatever is typed is a 400 or a
 * literal search, never a 500.
 */
const tag = () => `pal${randomBytes(4).toString("hex")}`;

async function namedUser(name: string) {
  const user = await makeUser();
  await db.user.update({ where: { id: user.id }, data: { name } });
  return user;
}

async function world() {
  const t = tag();
  const admin = await makePrincipal(["admin"]);
  const ada = await namedUser(`Ada ${t} Lovelace`);
  const role = await makeRole(["users.read"], `Auditors of ${t}`);
  const client = await makeTestClient(admin.principal, ["users.read"]);
  await db.apiClient.update({ where: { id: client.clientId }, data: { name: `Billing ${t} sync` } });
  return { t, admin, ada, role, client };
}

const search = (principal: Parameters<typeof searchConsole>[0], q: string) =>
  searchConsole(principal, consoleSearchSchema.parse({ q }));
const ids = (hits: { id: string }[]) => hits.map((hit) => hit.id);

describe("the console search", () => {
  it("finds, for an administrator, a user by part of the name or the email, a role and a client", async () => {
    const { t, admin, ada, role, client } = await world();
    const byName = await search(admin.principal, `${t.toUpperCase()} love`);
    expect(ids(byName.users)).toEqual([ada.id]);
    expect(byName.users[0]).toMatchObject({ label: `Ada ${t} Lovelace`, href: `/users/${ada.id}` });
    expect(byName.users[0]?.detail).toContain(ada.email);
    expect(ids((await search(admin.principal, ada.email.slice(0, 14))).users)).toEqual([ada.id]);
    const all = await search(admin.principal, t);
    expect(ids(all.roles)).toEqual([role.id]);
    expect(all.roles[0]?.href).toBe(`/roles/${role.id}`);
    expect(ids(all.clients)).toEqual([client.clientId]);
    expect(all.clients[0]?.href).toBe(`/clients/${client.clientId}`);
    expect(all.clients[0]?.detail).toContain(admin.user.email);
    // Pages by title, those starting with the text first.
    expect((await search(admin.principal, "se")).pages.map((p) => p.label)).toEqual([
      "Settings",
      "Security",
      "Users",
    ]);
  });

  it("shows a Member (no permissions) pages only: no users, roles or clients", async () => {
    const { t, ada } = await world();
    const { principal } = await makePrincipal(["member"]);
    const byName = await search(principal, t);
    expect(byName).toEqual({ pages: [], users: [], roles: [], clients: [] });
    expect((await search(principal, ada.email)).users).toEqual([]);
    const pages = await search(principal, "secur");
    expect(pages.pages).toEqual([
      { id: "/account/security", label: "Security", detail: "/account/security", href: "/account/security" },
    ]);
    // An area the member may not open is no page match either.
    expect((await search(principal, "users")).pages).toEqual([]);
  });

  it("shows a holder of users.read alone users, but no roles or clients", async () => {
    const { t, ada } = await world();
    const readUsers = await makeRole(["users.read"]);
    const { principal } = await makePrincipal([], [readUsers.id]);
    const found = await search(principal, t);
    expect(ids(found.users)).toEqual([ada.id]);
    expect(found.roles).toEqual([]);
    expect(found.clients).toEqual([]);
  });

  it("finds nothing for a user who must still enroll a second factor", async () => {
    const { t, admin } = await world();
    const enrolling = { ...admin.principal, mustEnrollMfa: true };
    expect(await search(enrolling, t)).toEqual({ pages: [], users: [], roles: [], clients: [] });
    expect(await search(enrolling, "secur")).toEqual({ pages: [], users: [], roles: [], clients: [] });
  });

  it("takes LIKE wildcards and backslashes literally", async () => {
    const t = tag();
    const { principal } = await makePrincipal(["admin"]);
    const literal = await namedUser(`${t} 50%_\\off`);
    const plain = await namedUser(`${t} 50xy\\off`);
    expect(ids((await search(principal, "50%_\\o")).users)).toEqual([literal.id]);
    expect(ids((await search(principal, `${t} 50%`)).users)).toEqual([literal.id]);
    expect(ids((await search(principal, `${t} 50__`)).users)).toEqual([]);
    expect(ids((await search(principal, `${t} 50xy\\`)).users)).toEqual([plain.id]);
    for (const q of ["%", "_", "\\", "%%", "\\%"]) await expect(search(principal, q)).resolves.toBeDefined();
  });

  it("limits each kind to a handful", async () => {
    const t = tag();
    const { principal } = await makePrincipal(["admin"]);
    for (let i = 0; i < 7; i++) await namedUser(`${t} number ${i}`);
    expect((await search(principal, t)).users).toHaveLength(5);
  });
});

describe("GET /api/v1/search", () => {
  const get = (q: string | null, credential: { cookie?: string; bearer?: string }) =>
    call(GET, {
      method: "GET",
      path: q === null ? "/api/v1/search" : `/api/v1/search?${new URLSearchParams({ q }).toString()}`,
      ...credential,
    });

  it("answers a session with the grouped results", async () => {
    const { t, admin, ada } = await world();
    const { cookie } = await signedInCookie(admin.user.id);
    const answer = await get(t, { cookie });
    expect(answer.status).toBe(200);
    const body = consoleSearchResultSchema.parse(answer.body);
    expect(ids(body.users)).toEqual([ada.id]);
  });

  it("answers a personal token with users.read its users and no pages", async () => {
    const { t, admin, ada } = await world();
    const token = await mintTestToken(admin.principal, ["users.read"]);
    const answer = await get(t, { bearer: token.token });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ pages: [], roles: [], clients: [] });
    expect(ids(consoleSearchResultSchema.parse(answer.body).users)).toEqual([ada.id]);
  });

  it("answers hostile text with a 400 problem naming q, never a 500", async () => {
    const { admin } = await world();
    const { cookie } = await signedInCookie(admin.user.id);
    for (const q of [null, "", "   ", "a\u0000b", "x".repeat(10_000)]) {
      const answer = await get(q, { cookie });
      expect(answer.status, JSON.stringify(q?.slice(0, 20))).toBe(400);
      expect(answer.headers.get("content-type")).toBe("application/problem+json");
      expect(JSON.stringify(answer.body.errors ?? answer.body)).toMatch(/q|query/);
    }
    // A lone surrogate cannot travel in a URL (it is sent as U+FFFD); the schema refuses it anyway.
    expect(consoleSearchSchema.safeParse({ q: "a\ud800b" }).success).toBe(false);
    for (const q of ["%", "_", "\\", '\'; drop table "User"; --', "\ufffd", "😀"]) {
      const answer = await get(q, { cookie });
      expect(answer.status, q).toBe(200);
    }
  });
});
