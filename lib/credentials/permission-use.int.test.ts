import { beforeAll, beforeEach, describe, expect, it } from "vitest";

import { GET as listUsersRoute, POST as inviteUserRoute } from "../../app/api/v1/users/route.ts";
import { GET as listRolesRoute } from "../../app/api/v1/roles/route.ts";
import { makeApi } from "../../test/api-factories.ts";
import {
  clientAccessToken,
  developerWith,
  makeTestClient,
  mintTestToken,
  requestClientToken,
} from "../../test/credentials.ts";
import { present, signedInCookie } from "../../test/factories.ts";
import { call } from "../../test/requests.ts";
import { introspectAs, makeResourceServer } from "../../test/resource-servers.ts";
import { builtInPermissionId } from "../apis/built-in-api.ts";
import { db, dbPool } from "../db/client.ts";
import { usedPermissions } from "../remedies/used-permissions.ts";
import { flushLastUsed } from "./last-used.ts";
import {
  MAX_PENDING_KEYS,
  notePermissionUse,
  pendingPermissionUseKeys,
  type PermissionUseKind,
} from "./permission-use.ts";

// Guarantee: each use of a permission by a token or client (an authorized request to Keyward's API,
// an active introspection, an issuance) is counted per day, and written in batches, never one write
// per request (issue 17, least privilege).

const USERS_READ = builtInPermissionId("users.read");
const today = () => new Date(new Date().toISOString().slice(0, 10));

async function uses(kind: PermissionUseKind, credentialId: string) {
  const rows =
    kind === "token"
      ? await db.apiTokenPermissionUse.findMany({ where: { tokenId: credentialId } })
      : await db.apiClientPermissionUse.findMany({ where: { clientId: credentialId } });
  return rows
    .map((row) => ({ permissionId: row.permissionId, day: row.day, count: row.count }))
    .sort((a, b) => a.permissionId.localeCompare(b.permissionId));
}

const listUsers = (bearer: string) => call(listUsersRoute, { path: "/api/v1/users", bearer });

/**
 * Every INSERT statement on ApiTokenPermissionUse, logged by a statement-level trigger in this
 * file's own database: an upsert is one INSERT however many rows it writes, so the log counts
 * writes exactly, without looking inside our code.
 */
beforeAll(async () => {
  await dbPool().query(`
    CREATE TABLE test_permission_use_writes (at timestamptz NOT NULL DEFAULT clock_timestamp());
    CREATE FUNCTION test_log_permission_use_write() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN INSERT INTO test_permission_use_writes DEFAULT VALUES; RETURN NULL; END $$;
    CREATE TRIGGER test_permission_use_writes AFTER INSERT ON "ApiTokenPermissionUse"
      FOR EACH STATEMENT EXECUTE FUNCTION test_log_permission_use_write();`);
});

const writes = async () =>
  Number(
    (await dbPool().query<{ n: string }>(`SELECT count(*) AS n FROM test_permission_use_writes`)).rows[0]?.n,
  );

beforeEach(async () => {
  // Whatever an earlier test left pending is written now, not in the middle of this one.
  await flushLastUsed();
});

describe("per-permission use", () => {
  it("a users.read token's requests count as users.read today, in one write per flush", async () => {
    const dev = await developerWith(["users.read", "roles.read"]);
    const pat = await mintTestToken(dev.principal, ["users.read"]);
    const before = await writes();

    for (let i = 0; i < 12; i++) expect((await listUsers(pat.token)).status).toBe(200);
    // Refused (the token lacks roles.read): not a use of anything.
    expect((await call(listRolesRoute, { path: "/api/v1/roles", bearer: pat.token })).status).toBe(403);
    expect(await writes()).toBe(before);
    expect(await uses("token", pat.id)).toEqual([]);

    await flushLastUsed();
    expect(await writes()).toBe(before + 1);
    expect(await uses("token", pat.id)).toEqual([{ permissionId: USERS_READ, day: today(), count: 12 }]);

    // Counts add up across flushes; a flush with nothing pending writes nothing.
    for (let i = 0; i < 3; i++) await listUsers(pat.token);
    await flushLastUsed();
    await flushLastUsed();
    expect(await writes()).toBe(before + 2);
    expect(await uses("token", pat.id)).toEqual([{ permissionId: USERS_READ, day: today(), count: 15 }]);
    // The grant carries its last day of use (the overview's least-privilege list reads it).
    const grants = await db.apiTokenPermission.findMany({
      where: { tokenId: pat.id },
      select: { permissionId: true, lastUsedOn: true },
      orderBy: { permissionId: "asc" },
    });
    expect(grants.map((g) => [g.permissionId, g.lastUsedOn?.toISOString().slice(0, 10) ?? null])).toEqual(
      grants.map((g) => [
        g.permissionId,
        g.permissionId === USERS_READ ? today().toISOString().slice(0, 10) : null,
      ]),
    );
    // What narrowing reads (lib/remedies): the permissions used in a window, by day.
    const used = async (since: Date) =>
      (await usedPermissions("token", pat.id, since)).map((row) => row.permissionId);
    expect(await used(new Date(Date.now() - 30 * 86_400_000))).toEqual([USERS_READ]);
    expect(await used(new Date(Date.now() + 2 * 86_400_000))).toEqual([]);
  });

  it("a session's requests are not counted: only credentials can be narrowed", async () => {
    const dev = await developerWith(["users.read"]);
    const pat = await mintTestToken(dev.principal, ["users.read"]);
    const before = await writes();
    const { cookie } = await signedInCookie(dev.user.id);
    expect((await call(listUsersRoute, { path: "/api/v1/users", cookie })).status).toBe(200);
    await flushLastUsed();
    expect(await writes()).toBe(before);
    expect(await uses("token", pat.id)).toEqual([]);
  });

  it("a request refused after the permission check (only a person may do it) is not a use", async () => {
    const dev = await developerWith(["users.read", "users.write"]);
    const pat = await mintTestToken(dev.principal, ["users.read", "users.write"]);
    const invite = await call(inviteUserRoute, {
      path: "/api/v1/users",
      bearer: pat.token,
      json: { email: "someone@example.test", name: "Someone", roleIds: [] },
    });
    expect(invite.body.type).toBe("urn:keyward:problem:session_required");
    await listUsers(pat.token);
    await flushLastUsed();
    expect(await uses("token", pat.id)).toEqual([{ permissionId: USERS_READ, day: today(), count: 1 }]);
  });

  it("skips the pending counts of a token deleted before the flush, writing the others", async () => {
    const dev = await developerWith(["users.read"]);
    const gone = await mintTestToken(dev.principal, ["users.read"]);
    const kept = await mintTestToken(dev.principal, ["users.read"]);
    await listUsers(gone.token);
    await listUsers(kept.token);
    await db.apiToken.delete({ where: { id: gone.id } });
    await expect(flushLastUsed()).resolves.toBeUndefined();
    expect(await db.apiTokenPermissionUse.count({ where: { tokenId: gone.id } })).toBe(0);
    expect(await uses("token", kept.id)).toEqual([{ permissionId: USERS_READ, day: today(), count: 1 }]);
  });

  it("an API client: each issuance counts its scope, each authorized request its permission", async () => {
    const dev = await developerWith(["users.read", "audit.read"]);
    const client = await makeTestClient(dev.principal, ["users.read", "audit.read"]);
    const jwt = await clientAccessToken(client.clientId, client.clientSecret, { scope: "users.read" });
    await clientAccessToken(client.clientId, client.clientSecret);
    expect((await listUsers(jwt)).status).toBe(200);
    await flushLastUsed();
    expect(await uses("client", client.clientId)).toEqual([
      { permissionId: builtInPermissionId("audit.read"), day: today(), count: 1 },
      { permissionId: USERS_READ, day: today(), count: 3 },
    ]);
    // A refused request issues nothing and counts nothing.
    expect(
      (await requestClientToken(client.clientId, client.clientSecret, { scope: "users.write" })).status,
    ).toBe(400);
    await flushLastUsed();
    expect(await uses("client", client.clientId)).toHaveLength(2);
  });

  it("an issuance for another API counts that API's permission rows", async () => {
    const orders = await makeApi({ permissions: ["orders.read", "orders.write"] });
    const read = present(orders.permissionIds["orders.read"]);
    const dev = await developerWith(["users.read"]);
    await db.rolePermission.create({ data: { roleId: dev.role.id, permissionId: read } });
    const client = await makeTestClient(dev.principal, ["users.read"]);
    await db.apiClientPermission.create({ data: { clientId: client.clientId, permissionId: read } });
    await clientAccessToken(client.clientId, client.clientSecret, { resource: orders.identifier });
    await flushLastUsed();
    expect(await uses("client", client.clientId)).toEqual([{ permissionId: read, day: today(), count: 1 }]);
  });

  it("an active introspection counts the permissions it reports, at Keyward's API and at another", async () => {
    const orders = await makeApi({ permissions: ["orders.read", "orders.write"] });
    const read = present(orders.permissionIds["orders.read"]);
    const write = present(orders.permissionIds["orders.write"]);
    const dev = await developerWith(["users.read"]);
    await db.rolePermission.create({ data: { roleId: dev.role.id, permissionId: read } });
    const pat = await mintTestToken(dev.principal, ["users.read"]);
    // Stored: orders.read (held) and orders.write (not held by the owner, so never reported).
    await db.apiTokenPermission.createMany({
      data: [read, write].map((permissionId) => ({ tokenId: pat.id, permissionId })),
    });
    const keyward = await makeResourceServer();
    const ordersRs = await makeResourceServer(orders.id);

    expect((await introspectAs(keyward.authorization, pat.token)).body).toMatchObject({
      active: true,
      scope: "users.read",
    });
    expect((await introspectAs(ordersRs.authorization, pat.token)).body).toMatchObject({
      active: true,
      scope: "orders.read",
    });
    expect((await introspectAs(ordersRs.authorization, pat.token)).body.active).toBe(true);
    // Inactive answers count nothing.
    expect((await introspectAs(ordersRs.authorization, "kw_pat_unknown")).body).toEqual({ active: false });

    const client = await makeTestClient(dev.principal, ["users.read"]);
    await db.apiClientPermission.create({ data: { clientId: client.clientId, permissionId: read } });
    const ordersJwt = await clientAccessToken(client.clientId, client.clientSecret, {
      resource: orders.identifier,
    });
    expect((await introspectAs(ordersRs.authorization, ordersJwt)).body).toMatchObject({
      active: true,
      scope: "orders.read",
    });

    await flushLastUsed();
    expect(await uses("token", pat.id)).toEqual(
      [
        { permissionId: read, day: today(), count: 2 },
        { permissionId: USERS_READ, day: today(), count: 1 },
      ].sort((a, b) => a.permissionId.localeCompare(b.permissionId)),
    );
    // One issuance and one introspection.
    expect(await uses("client", client.clientId)).toEqual([{ permissionId: read, day: today(), count: 2 }]);
  });

  it("flushes early when the pending keys reach the bound, without waiting for the timer", async () => {
    const dev = await developerWith(["users.read"]);
    const pat = await mintTestToken(dev.principal, ["users.read"]);
    notePermissionUse("token", pat.id, [USERS_READ]);
    // Made-up credentials: distinct keys that the flush skips (no such token).
    for (let i = 0; pendingPermissionUseKeys() > 0 && i < MAX_PENDING_KEYS; i++)
      notePermissionUse("token", `tok_none${i}`, [USERS_READ]);
    expect(pendingPermissionUseKeys()).toBe(0);
    await expect
      .poll(async () => uses("token", pat.id), { timeout: 4_000, interval: 50 })
      .toEqual([{ permissionId: USERS_READ, day: today(), count: 1 }]);
  });
});
