import pg from "pg";
import { describe, expect, it } from "vitest";

import { developerWith, mintTestToken } from "../../test/credentials.ts";
import { codeOf, makePrincipal, makeUser, present, TEST_CONTEXT } from "../../test/factories.ts";
import { getConfig } from "../config/env.ts";
import { serverUrl } from "../../test/database.ts";
import { credentialCacheStats } from "../credentials/credential-cache.ts";
import { flushLastUsed } from "../credentials/last-used.ts";
import { db } from "../db/client.ts";
import { builtInRoleId } from "../roles/ensure-built-in-roles.ts";
import { setSetting } from "../settings/settings.ts";
import { disableUser, enableUser } from "../users/manage-user.ts";
import { assignRole, removeRole } from "../users/role-assignments.ts";
import { listTokens } from "./list-tokens.ts";
import { revokeToken, rotateToken } from "./manage-tokens.ts";
import { mintToken, mintTokenForUser } from "./mint-token.ts";
import { listTokensSchema } from "./token-schemas.ts";
import { verifyPersonalToken } from "./verify-token.ts";

const context = TEST_CONTEXT;

describe("minting personal tokens", () => {
  it("gives the caller a kw_pat_ secret once and stores only its hash", async () => {
    const { principal } = await developerWith(["users.read"]);
    const minted = await mintTestToken(principal, ["users.read"]);
    expect(minted.token).toMatch(/^kw_pat_[0-9A-Za-z]{28}$/);
    const stored = await db.apiTokenSecret.findMany({ where: { tokenId: minted.id } });
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(minted.token);
    const events = await db.auditEvent.findMany({ where: { targetId: minted.id } });
    expect(events.map((event) => event.action)).toEqual(["token.created"]);
    expect(JSON.stringify(events.map((event) => event.details))).not.toContain(minted.token);
  });

  it("refuses scopes the minter does not hold (escalation)", async () => {
    const { principal } = await developerWith(["users.read"]);
    expect(await codeOf(mintTestToken(principal, ["users.read", "users.write"]))).toBe("forbidden");
    expect(await codeOf(mintTestToken(principal, ["settings.write"]))).toBe("forbidden");
    expect(await db.apiToken.count({ where: { userId: principal.userId } })).toBe(0);
  });

  it("needs tokens.create, a session (not another credential) and a fresh sign-in", async () => {
    const { principal: member } = await makePrincipal(["member"]);
    expect(await codeOf(mintTestToken(member, []))).toBe("forbidden");

    const { principal } = await developerWith(["users.read"]);
    // Even holding tokens.create, a token cannot mint another.
    const minted = await mintTestToken(principal, ["users.read", "tokens.create"]);
    const asToken = await verifyPersonalToken(minted.token);
    expect(asToken).not.toBeNull();
    const viaToken = mintToken({
      actor: present(asToken),
      name: "child",
      scopes: ["users.read"],
      expiration: "7",
      context,
    });
    // The problem type says why, so automation knows to use the operator CLI instead.
    expect(await codeOf(viaToken)).toBe("session_required");
    // Nor may a token give itself a new secret: a leaked one would outlive its revocation.
    expect(
      await codeOf(rotateToken({ actor: present(asToken), tokenId: minted.id, overlapMinutes: 0, context })),
    ).toBe("session_required");
    expect(await verifyPersonalToken(minted.token)).not.toBeNull();

    const stale = { ...principal, authTime: new Date(Date.now() - 3_600_000) };
    expect(await codeOf(mintTestToken(stale, ["users.read"]))).toBe("step_up_required");
  });

  it("keeps expiry within the administrator's cap", async () => {
    const { principal } = await developerWith([]);
    await db.$transaction((tx) => setSetting(tx, "tokenMaxLifetimeDays", 30));
    try {
      expect(await codeOf(mintTestToken(principal, ["tokens.create"], "60"))).toBe("invalid");
      expect(await codeOf(mintTestToken(principal, ["tokens.create"], "30"))).toBe("ok");
      const never = mintToken({
        actor: principal,
        name: "n",
        scopes: ["tokens.create"],
        expiration: "never",
        context,
      });
      expect(await codeOf(never)).toBe("invalid");
    } finally {
      await db.$transaction((tx) => setSetting(tx, "tokenMaxLifetimeDays", 90));
    }
  });

  it("lets the operator CLI mint for a user under the same rules", async () => {
    const { user } = await developerWith(["users.read"]);
    const actor = { kind: "system" as const, display: "cli:test" };
    const minted = await mintTokenForUser({
      ownerId: user.id,
      name: "ci",
      scopes: ["users.read"],
      expiration: "7",
      actor,
      context,
    });
    expect((await verifyPersonalToken(minted.token))?.userId).toBe(user.id);
    const beyond = mintTokenForUser({
      ownerId: user.id,
      name: "ci",
      scopes: ["users.write"],
      expiration: "7",
      actor,
      context,
    });
    expect(await codeOf(beyond)).toBe("forbidden");
    const plain = await makeUser();
    const noRight = mintTokenForUser({
      ownerId: plain.id,
      name: "ci",
      scopes: [],
      expiration: "7",
      actor,
      context,
    });
    expect(await codeOf(noRight)).toBe("forbidden");
  });
});

describe("verifying personal tokens", () => {
  it("rejects a token with any one character changed before any lookup", async () => {
    const { principal } = await developerWith(["users.read"]);
    const minted = await mintTestToken(principal, ["users.read"]);
    const before = credentialCacheStats();
    for (let i = 7; i < minted.token.length; i++) {
      const changed =
        minted.token.slice(0, i) + (minted.token[i] === "x" ? "y" : "x") + minted.token.slice(i + 1);
      expect(await verifyPersonalToken(changed)).toBeNull();
    }
    // Every database lookup goes through the cache's loader: no miss means no query.
    expect(credentialCacheStats().misses).toBe(before.misses);
    expect(await verifyPersonalToken(minted.token)).not.toBeNull();
  });

  it("gives scopes ∩ the owner's current permissions, narrowed on the next call after a role change", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { user, principal } = await developerWith([], ["user_manager"]);
    const minted = await mintTestToken(principal, ["users.read", "users.write"]);
    expect([...present(await verifyPersonalToken(minted.token)).permissions].sort()).toEqual([
      "users.read",
      "users.write",
    ]);
    const roleId = await builtInRoleId(db, "user_manager");
    await removeRole({ actor: admin, userId: user.id, roleId, context });
    expect([...present(await verifyPersonalToken(minted.token)).permissions]).toEqual([]);
    await assignRole({ actor: admin, userId: user.id, roleId, context });
    expect(present(await verifyPersonalToken(minted.token)).permissions.has("users.write")).toBe(true);
  });

  it("stops at once when revoked, when the owner is disabled, and after expiry", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { user, principal } = await developerWith(["users.read"]);
    const first = await mintTestToken(principal, ["users.read"]);
    const second = await mintTestToken(principal, ["users.read"], "7");
    expect(await verifyPersonalToken(first.token)).not.toBeNull();

    await revokeToken({ actor: principal, tokenId: first.id, context });
    expect(await verifyPersonalToken(first.token)).toBeNull();

    expect(await verifyPersonalToken(second.token)).not.toBeNull();
    await disableUser({ actor: admin, userId: user.id, context });
    expect(await verifyPersonalToken(second.token)).toBeNull();
    await enableUser({ actor: admin, userId: user.id, context });
    expect(await verifyPersonalToken(second.token)).not.toBeNull();
    expect(await verifyPersonalToken(second.token, { now: Date.now() + 8 * 86_400_000 })).toBeNull();
  });

  it("rotates: the old secret stops at once, or after the chosen overlap", async () => {
    const { principal } = await developerWith(["users.read"]);
    const minted = await mintTestToken(principal, ["users.read"]);
    const rotated = await rotateToken({ actor: principal, tokenId: minted.id, overlapMinutes: 0, context });
    expect(await verifyPersonalToken(minted.token)).toBeNull();
    expect((await verifyPersonalToken(rotated.token))?.tokenId).toBe(minted.id);

    const overlapped = await rotateToken({
      actor: principal,
      tokenId: minted.id,
      overlapMinutes: 60,
      context,
    });
    expect(await verifyPersonalToken(rotated.token)).not.toBeNull();
    expect(await verifyPersonalToken(rotated.token, { now: Date.now() + 61 * 60_000 })).toBeNull();
    expect(await verifyPersonalToken(overlapped.token, { now: Date.now() + 61 * 60_000 })).not.toBeNull();
  });

  it("lets only the owner rotate, and only tokens.write holders revoke others' tokens", async () => {
    const { principal: owner } = await developerWith(["users.read"]);
    const minted = await mintTestToken(owner, ["users.read"]);
    const { principal: stranger } = await developerWith([]);
    expect(await codeOf(revokeToken({ actor: stranger, tokenId: minted.id, context }))).toBe("not_found");
    expect(
      await codeOf(rotateToken({ actor: stranger, tokenId: minted.id, overlapMinutes: 0, context })),
    ).toBe("not_found");
    const { principal: auditor } = await makePrincipal(["auditor"]);
    expect(await codeOf(revokeToken({ actor: auditor, tokenId: minted.id, context }))).toBe("forbidden");
    const { principal: admin } = await makePrincipal(["admin"]);
    expect(await codeOf(rotateToken({ actor: admin, tokenId: minted.id, overlapMinutes: 0, context }))).toBe(
      "forbidden",
    );
    await revokeToken({ actor: admin, tokenId: minted.id, context });
    expect(await verifyPersonalToken(minted.token)).toBeNull();
  });

  it("records last use (time and address) at most once a minute, batched off the request path", async () => {
    const { principal } = await developerWith(["users.read"]);
    const minted = await mintTestToken(principal, ["users.read"]);
    await verifyPersonalToken(minted.token, { ip: "198.51.100.4" });
    await verifyPersonalToken(minted.token, { ip: "198.51.100.5" });
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: minted.id } })).lastUsedAt).toBeNull();
    await flushLastUsed();
    const token = await db.apiToken.findUniqueOrThrow({ where: { id: minted.id } });
    expect(token.lastUsedIp).toBe("198.51.100.4");
    expect(Math.abs((token.lastUsedAt?.getTime() ?? 0) - Date.now())).toBeLessThan(10_000);
  });

  it("lists the caller's own tokens, and everyone's only with tokens.read", async () => {
    const { principal } = await developerWith(["users.read"]);
    const minted = await mintTestToken(principal, ["users.read"]);
    const mine = await listTokens(principal, listTokensSchema.parse({}));
    expect(mine.items.map((token) => token.id)).toEqual([minted.id]);
    expect(mine.items[0]?.fragment).toBe(`kw_pat_…${minted.token.slice(-4)}`);
    expect(await codeOf(listTokens(principal, listTokensSchema.parse({ scope: "all" })))).toBe("forbidden");
    const { principal: auditor } = await makePrincipal(["auditor"]);
    const all = await listTokens(auditor, listTokensSchema.parse({ userId: principal.userId }));
    expect(all.items.map((token) => token.id)).toEqual([minted.id]);
  });

  // Needs a PostgreSQL server: the embedded database serves one connection and is one instance.
  it.skipIf(!serverUrl())(
    "hears another instance's revocation through NOTIFY and drops its cached answer",
    async () => {
      const { principal } = await developerWith(["users.read"]);
      const minted = await mintTestToken(principal, ["users.read"]);
      expect(await verifyPersonalToken(minted.token)).not.toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 200));
      const before = credentialCacheStats();
      expect(await verifyPersonalToken(minted.token)).not.toBeNull();
      // Answered from the cache (token and owner), not the database.
      expect(credentialCacheStats().hits).toBeGreaterThan(before.hits);
      expect(credentialCacheStats().misses).toBe(before.misses);

      // Another instance: its own connection, its own transaction, the same notice our code sends.
      const other = new pg.Client({ connectionString: getConfig().databaseUrl });
      await other.connect();
      await other.query("BEGIN");
      await other.query(`UPDATE "ApiToken" SET "revokedAt" = now() WHERE id = $1`, [minted.id]);
      const notice = { instance: "another-instance", change: 1, tags: [`token:${minted.id}`] };
      await other.query(`SELECT pg_notify('keyward_credentials', $1)`, [JSON.stringify(notice)]);
      await other.query("COMMIT");
      await other.end();

      const deadline = Date.now() + 3_000;
      while ((await verifyPersonalToken(minted.token)) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(await verifyPersonalToken(minted.token)).toBeNull();
    },
  );
});
