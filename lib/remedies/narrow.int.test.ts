import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { GET as rolesRoute } from "../../app/api/v1/roles/route.ts";
import { GET as usersRoute } from "../../app/api/v1/users/route.ts";
import { developerHolding, makeApi } from "../../test/api-factories.ts";
import {
  clientAccessToken,
  developerWith,
  mintTestToken,
  requestClientToken,
} from "../../test/credentials.ts";
import { codeOf, makePrincipal, present, TEST_CONTEXT } from "../../test/factories.ts";
import { startMailbox } from "../../test/mailbox.ts";
import { countingBegan, lastDays, madeDaysAgo, mailText, recordUse } from "../../test/remedies.ts";
import { call } from "../../test/requests.ts";
import { resolveBearer } from "../auth/resolve-bearer.ts";
import { createClient } from "../clients/manage-clients.ts";
import { getConfig } from "../config/env.ts";
import { db } from "../db/client.ts";
import { verifyPersonalToken } from "../tokens/verify-token.ts";
import { settleCredentialNotices } from "./credential-notices.ts";
import { narrowClient, narrowToken } from "./narrow.ts";
import { narrowClientSchema, narrowTokenSchema } from "./remedy-schemas.ts";

/*
 * Guarantee (issue 17): "narrow to what it used" keeps exactly the permissions a token or client
 * used in the idle window; the same secret keeps working for those and is refused the rest on the
 * next request; it refuses to judge too soon or to narrow to nothing; only those who may revoke
 * (tokens) or manage (clients) may, under step-up; the owner hears when someone else did it.
 */

const context = TEST_CONTEXT;
let mailbox: Awaited<ReturnType<typeof startMailbox>>;

beforeAll(async () => {
  await countingBegan(90);
  mailbox = await startMailbox();
});
afterAll(async () => {
  await settleCredentialNotices();
  await mailbox.stop();
});

const sentTo = (email: string) => mailbox.received.filter((mail) => mail.to.includes(email));

/** A token holding users.read, users.write and roles.read, 40 days old, used for users.read only. */
async function overScopedToken() {
  const owner = await developerWith(["users.read", "users.write", "roles.read"]);
  const minted = await mintTestToken(owner.principal, ["users.read", "users.write", "roles.read"], "90");
  await madeDaysAgo("token", minted.id, 40);
  await recordUse("token", minted.id, "users.read", lastDays(31));
  // Used once, long ago: outside the idle window, so it does not count.
  await recordUse("token", minted.id, "roles.read", [35]);
  return { owner, minted };
}

describe("narrowing a token to what it used", () => {
  it("keeps users.read only; the same secret still works for it and is refused the rest", async () => {
    const { owner, minted } = await overScopedToken();
    const before = present(await verifyPersonalToken(minted.token));
    // (Verified, not called: a call to /roles now would be a use of roles.read, and it would be kept.)
    expect([...before.permissions].sort()).toEqual(["roles.read", "users.read", "users.write"]);

    const result = await narrowToken({ actor: owner.principal, tokenId: minted.id, context });
    expect(result).toMatchObject({
      kept: ["users.read"],
      removed: ["roles.read", "users.write"],
      changed: true,
    });

    const after = present(await verifyPersonalToken(minted.token));
    expect([...after.permissions]).toEqual(["users.read"]);
    expect((await call(usersRoute, { path: "/api/v1/users", bearer: minted.token })).status).toBe(200);
    expect((await call(rolesRoute, { path: "/api/v1/roles", bearer: minted.token })).status).toBe(403);

    const rows = await db.apiTokenPermission.findMany({ where: { tokenId: minted.id } });
    expect(rows.map((row) => row.permissionId)).toEqual(["perm_keyward_users.read"]);
    const [event] = await db.auditEvent.findMany({
      where: { targetId: minted.id, action: "token.narrowed" },
    });
    expect(present(event).details).toMatchObject({
      before: { permissions: ["roles.read", "users.read", "users.write"] },
      after: { permissions: ["users.read"] },
      removed: ["roles.read", "users.write"],
      owner: { id: owner.user.id },
    });
    expect(JSON.stringify(present(event).details)).not.toContain(minted.token);

    // Twice is harmless: nothing left to remove, nothing recorded.
    const again = await narrowToken({ actor: owner.principal, tokenId: minted.id, context });
    expect(again).toMatchObject({ kept: ["users.read"], removed: [], changed: false });
    expect(await db.auditEvent.count({ where: { targetId: minted.id, action: "token.narrowed" } })).toBe(1);
    // The owner did it themselves: no mail.
    await settleCredentialNotices();
    expect(sentTo(owner.user.email)).toHaveLength(0);
  });

  it("counts a use of a moment ago on this instance: the permission it just used is kept", async () => {
    const { owner, minted } = await overScopedToken();
    // Not yet written: the batched flush runs once a minute. Narrowing writes it first.
    expect((await call(rolesRoute, { path: "/api/v1/roles", bearer: minted.token })).status).toBe(200);
    const result = await narrowToken({ actor: owner.principal, tokenId: minted.id, context });
    expect(result).toMatchObject({ kept: ["roles.read", "users.read"], removed: ["users.write"] });
  });

  it("refuses a token that used nothing (revoke it) and one too new to judge", async () => {
    const owner = await developerWith(["users.read", "users.write"]);
    const idle = await mintTestToken(owner.principal, ["users.read", "users.write"]);
    await madeDaysAgo("token", idle.id, 40);
    await recordUse("token", idle.id, "users.read", [33]);
    const refusal = narrowToken({ actor: owner.principal, tokenId: idle.id, context });
    await expect(refusal).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/revoke it/),
    });

    const young = await mintTestToken(owner.principal, ["users.read", "users.write"]);
    await madeDaysAgo("token", young.id, 20);
    await recordUse("token", young.id, "users.read", lastDays(20));
    await expect(narrowToken({ actor: owner.principal, tokenId: young.id, context })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/too soon/),
    });
    for (const id of [idle.id, young.id]) {
      expect(await db.apiTokenPermission.count({ where: { tokenId: id } })).toBe(2);
    }
  });

  it("refuses to judge while per-permission use has been counted for less than the idle period", async () => {
    const { owner, minted } = await overScopedToken();
    await countingBegan(10);
    try {
      expect(await codeOf(narrowToken({ actor: owner.principal, tokenId: minted.id, context }))).toBe(
        "conflict",
      );
    } finally {
      await countingBegan(90);
    }
    expect(await db.apiTokenPermission.count({ where: { tokenId: minted.id } })).toBe(3);
  });

  it("is for the owner, the token itself and holders of tokens.write, under step-up", async () => {
    const { owner, minted } = await overScopedToken();
    const { principal: stranger } = await makePrincipal(["developer"]);
    expect(await codeOf(narrowToken({ actor: stranger, tokenId: minted.id, context }))).toBe("not_found");
    const { principal: reader } = await makePrincipal(["auditor"]);
    expect(await codeOf(narrowToken({ actor: reader, tokenId: minted.id, context }))).toBe("forbidden");
    const stale = { ...owner.principal, authTime: new Date(Date.now() - 3_600_000) };
    expect(await codeOf(narrowToken({ actor: stale, tokenId: minted.id, context }))).toBe("step_up_required");
    // Another token of the same owner is not this token, and holds no tokens.write.
    const sibling = await mintTestToken(owner.principal, ["users.read"]);
    const asSibling = present(await verifyPersonalToken(sibling.token));
    expect(await codeOf(narrowToken({ actor: asSibling, tokenId: minted.id, context }))).toBe("forbidden");
    expect(await db.apiTokenPermission.count({ where: { tokenId: minted.id } })).toBe(3);

    // The token itself may narrow itself, as it may revoke itself: it only loses.
    const asItself = present(await verifyPersonalToken(minted.token));
    const result = await narrowToken({ actor: asItself, tokenId: minted.id, context });
    expect(result.kept).toEqual(["users.read"]);
  });

  it("tells the owner when an administrator narrowed their token", async () => {
    const { owner, minted } = await overScopedToken();
    const { principal: admin } = await makePrincipal(["admin"]);
    await narrowToken({ actor: admin, tokenId: minted.id, context });
    await settleCredentialNotices();
    const [mail] = sentTo(owner.user.email);
    const raw = mailText(present(mail).raw);
    expect(raw).toMatch(/narrowed/);
    expect(raw).toContain(admin.email);
    expect(raw).toMatch(/Kept: users\.read/);
    expect(raw).toMatch(/Removed: roles\.read, users\.write/);
    expect(raw).toContain("http://localhost:3000/tokens");
    expect(raw).not.toContain(minted.token);
  });

  it("refuses malformed input at the schema", () => {
    expect(narrowTokenSchema.safeParse({ tokenId: "tok_x\u0000" }).success).toBe(false);
    expect(narrowTokenSchema.safeParse({ tokenId: "cli_abc" }).success).toBe(false);
    expect(narrowClientSchema.safeParse({ clientId: "' OR 1=1" }).success).toBe(false);
    expect(narrowTokenSchema.safeParse({ tokenId: "tok_abc" }).success).toBe(true);
  });
});

describe("narrowing an API client to what it used", () => {
  async function overScopedClient() {
    const api = await makeApi({ permissions: ["orders.read", "orders.write"] });
    const ids = [present(api.permissionIds["orders.read"]), present(api.permissionIds["orders.write"])];
    const owner = await developerHolding(ids);
    const created = await createClient({
      actor: owner.principal,
      name: "Billing sync",
      description: "",
      scopes: ["clients.read", "tokens.create"],
      apiPermissionIds: ids,
      context,
    });
    await madeDaysAgo("client", created.clientId, 45);
    await recordUse("client", created.clientId, "clients.read", lastDays(31));
    await recordUse("client", created.clientId, present(api.permissionIds["orders.read"]), [2, 9]);
    return { api, owner, created };
  }

  it("keeps what it used, of every API; its access tokens and secret lose the rest at once", async () => {
    const { api, owner, created } = await overScopedClient();
    // A token issued now is a use of what it carries (so only what it kept in use is asked for).
    const jwt = await clientAccessToken(created.clientId, created.clientSecret, {
      scope: "clients.read",
      resource: getConfig().apiAudience,
    });

    const result = await narrowClient({ actor: owner.principal, clientId: created.clientId, context });
    expect(result.kept).toEqual([`${api.name}: orders.read`, "clients.read"].sort());
    expect(result.removed).toEqual([`${api.name}: orders.write`, "tokens.create"].sort());

    // The token issued before goes on working for what the client kept.
    expect([...(await resolveBearer(`Bearer ${jwt}`, "203.0.113.7")).permissions]).toEqual(["clients.read"]);
    // The same secret still gets tokens for what it kept, and is refused the rest.
    expect(
      (
        await requestClientToken(created.clientId, created.clientSecret, {
          scope: "clients.read",
          resource: getConfig().apiAudience,
        })
      ).status,
    ).toBe(200);
    expect(
      (
        await requestClientToken(created.clientId, created.clientSecret, {
          scope: "tokens.create",
          resource: getConfig().apiAudience,
        })
      ).status,
    ).toBe(400);
    const kept = await db.apiClientPermission.findMany({ where: { clientId: created.clientId } });
    expect(kept.map((row) => row.permissionId).sort()).toEqual(
      ["perm_keyward_clients.read", present(api.permissionIds["orders.read"])].sort(),
    );
    const [event] = await db.auditEvent.findMany({
      where: { targetId: created.clientId, action: "client.narrowed" },
    });
    expect(present(event).details).toMatchObject({
      removed: result.removed,
      after: { permissions: result.kept },
    });
  });

  it("is only for who may manage the client (every scope it holds, every API's), under step-up", async () => {
    const { owner, created } = await overScopedClient();
    // A developer with clients.write but without the Orders API's permissions may not touch it.
    const { principal: other } = await developerWith(["clients.read", "tokens.create"]);
    expect(await codeOf(narrowClient({ actor: other, clientId: created.clientId, context }))).toBe(
      "forbidden",
    );
    const { principal: reader } = await makePrincipal(["auditor"]);
    expect(await codeOf(narrowClient({ actor: reader, clientId: created.clientId, context }))).toBe(
      "forbidden",
    );
    const stale = { ...owner.principal, authTime: new Date(Date.now() - 3_600_000) };
    expect(await codeOf(narrowClient({ actor: stale, clientId: created.clientId, context }))).toBe(
      "step_up_required",
    );
    expect(await codeOf(narrowClient({ actor: owner.principal, clientId: "cli_nothere", context }))).toBe(
      "not_found",
    );
    expect(await db.apiClientPermission.count({ where: { clientId: created.clientId } })).toBe(4);
  });

  it("refuses a client that used nothing in the window, and tells the owner when an admin narrows it", async () => {
    const { principal: owner, user } = await developerWith(["users.read", "clients.read"]);
    const created = await createClient({
      actor: owner,
      name: "Reporter",
      description: "",
      scopes: ["users.read", "clients.read"],
      context,
    });
    await madeDaysAgo("client", created.clientId, 60);
    const { principal: admin } = await makePrincipal(["admin"]);
    await expect(narrowClient({ actor: admin, clientId: created.clientId, context })).rejects.toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/disable it/),
    });
    await recordUse("client", created.clientId, "users.read", [1]);
    await narrowClient({ actor: admin, clientId: created.clientId, context });
    await settleCredentialNotices();
    const raw = mailText(present(sentTo(user.email)[0]).raw);
    expect(raw).toMatch(/Reporter/);
    expect(raw).toMatch(/Removed: clients\.read/);
    expect(raw).toContain(`http://localhost:3000/clients/${created.clientId}`);
    expect(raw).not.toContain(created.clientSecret);
  });
});
