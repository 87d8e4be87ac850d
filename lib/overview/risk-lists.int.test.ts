import { randomBytes } from "node:crypto";

import { describe, expect, it } from "vitest";

import { builtInPermissionId } from "../apis/built-in-api.ts";
import { db } from "../db/client.ts";
import { newId } from "../crypto/ids.ts";
import { setSetting } from "../settings/settings.ts";
import { makePrincipal, makeRole, makeUser, codeOf, present } from "../../test/factories.ts";
import { developerWith, makeTestClient, mintTestToken } from "../../test/credentials.ts";
import { digestItems } from "./credential-risks.ts";
import { mfaFigures } from "./mfa-figures.ts";
import { listRisk, riskCounts } from "./risk-lists.ts";

const DAY = 86_400_000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY);

async function withFactor(userId: string) {
  await db.totpFactor.create({
    data: { id: newId("tf"), userId, name: "Phone", secretEnc: "x", activatedAt: new Date() },
  });
}

/** Per-permission use has been counted long enough to judge (the migration stamps "now"). */
async function countingSinceLongAgo() {
  await db.$transaction((tx) => setSetting(tx, "permissionUseSince", daysAgo(400).toISOString()));
}

describe("the overview's figures, on data with a known answer", () => {
  // First in the file: the database holds only these users, so the totals are exact.
  it("counts 3 of 7 active users with a second factor, and who needs one", async () => {
    const users = [];
    for (let i = 0; i < 7; i++) users.push(await makeUser());
    for (const user of users.slice(0, 3)) await withFactor(user.id);
    await makeUser({ status: "disabled" }); // not active: counted nowhere
    const writer = await makeRole(["users.write"]);
    await db.roleAssignment.create({ data: { userId: present(users[5]).id, roleId: writer.id } });
    await db.roleAssignment.create({ data: { userId: present(users[0]).id, roleId: writer.id } });

    const figures = await mfaFigures();
    expect(figures).toMatchObject({
      activeUsers: 7,
      withFactor: 3,
      writeHolders: 2,
      writeHoldersWithFactor: 1,
    });
    expect(figures.perRole.find((role) => role.roleId === writer.id)).toMatchObject({
      activeUsers: 2,
      withFactor: 1,
    });
    // Only the write-permission holder without a factor needs one (no role requires MFA, nor Settings).
    const counts = await riskCounts(["mfa.missing"]);
    expect(counts["mfa.missing"]).toBe(1);
    // The reader, a user manager (users.write) without a factor, is on the list too.
    const { principal } = await makePrincipal(["user_manager"]);
    const page = await listRisk(principal, { risk: "mfa.missing", limit: 50 });
    expect(page.items.map((item) => item.targetId).sort()).toEqual(
      [present(users[5]).id, principal.userId].sort(),
    );
  });

  it("lists 2 tokens idle 31 days and not the one idle 29 days; a token never used after the idle period", async () => {
    const { principal } = await developerWith(["users.read"]);
    const tag = randomBytes(4).toString("hex");
    const made = [];
    for (const days of [31, 31, 29, 0])
      made.push({ ...(await mintTestToken(principal, ["users.read"])), days });
    for (const token of made) {
      await db.apiToken.update({
        where: { id: token.id },
        data: { name: `${tag}-${token.days}`, createdAt: daysAgo(60), lastUsedAt: daysAgo(token.days) },
      });
    }
    const never = await mintTestToken(principal, ["users.read"]);
    await db.apiToken.update({ where: { id: never.id }, data: { createdAt: daysAgo(45) } });

    const { principal: reader } = await makePrincipal([]);
    expect(await codeOf(listRisk(reader, { risk: "tokens.idle", limit: 50 }))).toBe("forbidden");
    const { principal: admin } = await makePrincipal(["admin"]);
    const idle = await listRisk(admin, { risk: "tokens.idle", limit: 50 });
    const mine = idle.items.filter((item) => item.name.startsWith(tag));
    expect(mine.map((item) => item.name).sort()).toEqual([`${tag}-31`, `${tag}-31`]);
    expect(present(mine[0]).owner?.id).toBe(principal.userId);
    const neverUsed = await listRisk(admin, { risk: "tokens.never_used", limit: 200 });
    expect(neverUsed.items.map((item) => item.targetId)).toContain(never.id);
    expect(neverUsed.items.map((item) => item.targetId)).not.toContain(present(made[0]).id);

    // A revoked token is not at risk any more; an accepted one is hidden until its date.
    await db.apiToken.update({ where: { id: present(made[0]).id }, data: { revokedAt: new Date() } });
    await db.riskAcceptance.create({
      data: {
        id: newId("rsk"),
        risk: "tokens.idle",
        targetId: present(made[1]).id,
        targetKind: "token",
        reason: "batch job runs quarterly",
        until: new Date(Date.now() + DAY),
        acceptedBy: "test",
      },
    });
    const after = await listRisk(admin, { risk: "tokens.idle", limit: 50 });
    expect(after.items.filter((item) => item.name.startsWith(tag))).toEqual([]);
    await db.riskAcceptance.updateMany({
      where: { targetId: present(made[1]).id },
      data: { until: daysAgo(0.01) },
    });
    const back = await listRisk(admin, { risk: "tokens.idle", limit: 50 });
    expect(back.items.map((item) => item.targetId)).toContain(present(made[1]).id);
  });

  it("pages a list by its date and id, and counts each list", async () => {
    const { principal } = await developerWith(["users.read"]);
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) {
      const token = await mintTestToken(principal, ["users.read"]);
      await db.apiToken.update({
        where: { id: token.id },
        data: { expiresAt: new Date(Date.now() + (i + 1) * 3_600_000) },
      });
      tokens.push(token.id);
    }
    const { principal: admin } = await makePrincipal(["admin"]);
    const seen: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i++) {
      const page = await listRisk(admin, { risk: "tokens.expiring", limit: 2, after });
      seen.push(...page.items.map((item) => item.targetId));
      if (!page.nextCursor) break;
      after = page.nextCursor;
    }
    // Soonest to expire first, each once.
    expect(seen.filter((id) => tokens.includes(id))).toEqual(tokens);
    expect(new Set(seen).size).toBe(seen.length);
    expect((await riskCounts(["tokens.expiring"]))["tokens.expiring"]).toBe(seen.length);
  });

  it("finds an invitation that expired yesterday, disabled owners of live credentials and orphaned clients", async () => {
    const invited = await makeUser({ status: "invited" });
    await db.oneTimeCode.create({
      data: {
        id: newId("otc"),
        purpose: "invitation",
        codeHash: randomBytes(16).toString("hex"),
        userId: invited.id,
        expiresAt: daysAgo(1),
      },
    });
    const pending = await makeUser({ status: "invited" });
    await db.oneTimeCode.create({
      data: {
        id: newId("otc"),
        purpose: "invitation",
        codeHash: randomBytes(16).toString("hex"),
        userId: pending.id,
        expiresAt: new Date(Date.now() + DAY),
      },
    });
    const { principal: owner } = await developerWith(["users.read"]);
    const client = await makeTestClient(owner, ["users.read"]);
    await mintTestToken(owner, ["users.read"]);
    await db.user.update({ where: { id: owner.userId }, data: { status: "disabled" } });

    const { principal: admin } = await makePrincipal(["admin"]);
    const ids = async (risk: Parameters<typeof listRisk>[1]["risk"]) =>
      (await listRisk(admin, { risk, limit: 200 })).items.map((item) => item.targetId);
    expect(await ids("accounts.invitation_expired")).toContain(invited.id);
    expect(await ids("accounts.invitation_expired")).not.toContain(pending.id);
    expect(await ids("accounts.disabled_with_credentials")).toContain(owner.userId);
    expect(await ids("clients.orphaned")).toContain(client.clientId);
  });

  it("offers a token used only for users.read in 31 days as over-scoped, and owners their own in the digest", async () => {
    await countingSinceLongAgo();
    const { principal } = await developerWith(["users.read", "users.write", "roles.read"]);
    const token = await mintTestToken(principal, ["users.read", "users.write", "roles.read"]);
    await db.apiToken.update({
      where: { id: token.id },
      data: { createdAt: daysAgo(40), lastUsedAt: daysAgo(1), expiresAt: new Date(Date.now() + 3 * DAY) },
    });
    for (const days of [1, 10, 25]) {
      await db.apiTokenPermissionUse.create({
        data: {
          tokenId: token.id,
          permissionId: builtInPermissionId("users.read"),
          day: daysAgo(days),
          count: 3,
        },
      });
    }
    // A use of roles.read older than the window does not count.
    await db.apiTokenPermissionUse.create({
      data: {
        tokenId: token.id,
        permissionId: builtInPermissionId("roles.read"),
        day: daysAgo(35),
        count: 1,
      },
    });
    // Each grant's last day of use, as the batched flush writes it beside the daily counts.
    for (const [name, day] of [
      ["users.read", daysAgo(1)],
      ["roles.read", daysAgo(35)],
    ] as const) {
      await db.apiTokenPermission.update({
        where: { tokenId_permissionId: { tokenId: token.id, permissionId: builtInPermissionId(name) } },
        data: { lastUsedOn: day },
      });
    }
    const { principal: admin } = await makePrincipal(["admin"]);
    const page = await listRisk(admin, { risk: "tokens.over_scoped", limit: 200 });
    const item = page.items.find((i) => i.targetId === token.id);
    expect(item).toMatchObject({ used: ["users.read"], unused: ["roles.read", "users.write"] });

    const digest = await digestItems(new Date());
    const theirs = digest.get(principal.userId) ?? [];
    expect(theirs.map((i) => i.risk).sort()).toEqual(["tokens.expiring", "tokens.over_scoped"]);
  });
});
