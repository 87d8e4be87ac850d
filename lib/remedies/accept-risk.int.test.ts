import { describe, expect, it } from "vitest";

import { developerWith, mintTestToken } from "../../test/credentials.ts";
import { codeOf, makePrincipal, makeUser, present, TEST_CONTEXT } from "../../test/factories.ts";
import { daysAgo } from "../../test/remedies.ts";
import type { Principal } from "../auth/principal.ts";
import { db, dbPool } from "../db/client.ts";
import { verifyPersonalToken } from "../tokens/verify-token.ts";
import { notAccepted } from "../overview/risk-conditions.ts";
import { acceptRisk, listAcceptedRisks, withdrawAcceptance } from "./accept-risk.ts";
import { acceptRiskSchema, listAcceptedRisksSchema, withdrawAcceptanceSchema } from "./remedy-schemas.ts";

/*
 * Guarantee (issue 17): accepting a risk hides the item from its list until the date, then it
 * returns by itself; one live acceptance per item and risk; both accepting and withdrawing are in
 * the audit log; only who may change the target may, with a reason and a date within a year; the
 * accepted risks list says who, why, until when and how each ended.
 */

const context = TEST_CONTEXT;
/** The one parameter the lists' acceptance check reads (lib/overview/risk-params.ts): the clock, in UTC. */
const NOW = `p AS (SELECT now() AT TIME ZONE 'UTC' AS now)`;
const inDays = (days: number) => daysAgo(-days);

/** Whether the item shows on the list as far as acceptances go (the lists AND this with their condition). */
async function shown(risk: "tokens.idle" | "accounts.dormant", id: string): Promise<boolean> {
  const [table, alias] = risk === "tokens.idle" ? [`"ApiToken" t`, "t"] : [`"User" u`, "u"];
  const { rows } = await dbPool().query(
    `WITH ${NOW} SELECT 1 FROM ${table}, p WHERE ${alias}.id = $1 AND ${notAccepted(risk, alias)}`,
    [id],
  );
  return rows.length === 1;
}

async function idleToken() {
  const owner = await developerWith(["users.read"]);
  return { owner, minted: await mintTestToken(owner.principal, ["users.read"]) };
}

describe("accepting a risk", () => {
  it("hides the item until its date, then it comes back; both are in the audit log", async () => {
    const { minted } = await idleToken();
    const { principal: admin } = await makePrincipal(["admin"]);
    expect(await shown("tokens.idle", minted.id)).toBe(true);
    const accepted = await acceptRisk({
      actor: admin,
      risk: "tokens.idle",
      targetId: minted.id,
      reason: "  The nightly backup uses it once a quarter.  ",
      until: inDays(30),
      context,
    });
    expect(await shown("tokens.idle", minted.id)).toBe(false);
    // Only that list: the same token on another list is not hidden by it.
    const { rows } = await dbPool().query(
      `WITH ${NOW} SELECT 1 FROM "ApiToken" t, p WHERE t.id = $1 AND ${notAccepted("tokens.no_expiry", "t")}`,
      [minted.id],
    );
    expect(rows).toHaveLength(1);
    // The date comes: the item is back, whether or not any job has noticed yet.
    await db.riskAcceptance.update({ where: { id: accepted.id }, data: { until: daysAgo(0.001) } });
    expect(await shown("tokens.idle", minted.id)).toBe(true);

    const events = await db.auditEvent.findMany({ where: { targetId: minted.id }, orderBy: { id: "asc" } });
    const event = present(events.find((e) => e.action === "risk.accepted"));
    expect(event).toMatchObject({ actorId: admin.userId, targetKind: "token" });
    expect(event.details).toMatchObject({
      risk: "tokens.idle",
      acceptanceId: accepted.id,
      reason: "The nightly backup uses it once a quarter.",
    });
    const row = await db.riskAcceptance.findUniqueOrThrow({ where: { id: accepted.id } });
    expect(row).toMatchObject({ acceptedById: admin.userId, acceptedBy: admin.email, expiredAt: null });
  });

  it("keeps one live acceptance per item and risk: a new one replaces the old", async () => {
    const { minted } = await idleToken();
    const { principal: admin } = await makePrincipal(["admin"]);
    const accept = (reason: string, days: number) =>
      acceptRisk({
        actor: admin,
        risk: "tokens.idle",
        targetId: minted.id,
        reason,
        until: inDays(days),
        context,
      });
    const [first, second] = await Promise.all([accept("first", 10), accept("second", 20)]);
    const live = await db.riskAcceptance.findMany({
      where: { targetId: minted.id, revokedAt: null, until: { gt: new Date() } },
    });
    expect(live).toHaveLength(1);
    expect([first.replaced.length, second.replaced.length].sort()).toEqual([0, 1]);
    const third = await accept("third", 5);
    expect(third.replaced).toEqual([present(live[0]).id]);

    const list = await listAcceptedRisks({ actor: admin, risk: "tokens.idle", includeEnded: true });
    const mine = list.items.filter((item) => item.targetId === minted.id);
    expect(mine.map((item) => item.reason)).toEqual(["third", expect.any(String), expect.any(String)]);
    expect(mine.map((item) => item.ended?.how ?? "live")).toEqual(["live", "replaced", "replaced"]);
    const current = await listAcceptedRisks({ actor: admin, risk: "tokens.idle" });
    expect(current.items.filter((item) => item.targetId === minted.id)).toMatchObject([
      {
        id: third.id,
        reason: "third",
        label: "Tokens unused for 30 days",
        acceptedBy: { display: admin.email },
      },
    ]);
  });

  it("withdrawing brings the item back at once, audited; the list says it was withdrawn", async () => {
    const { minted } = await idleToken();
    const { principal: admin } = await makePrincipal(["admin"]);
    const accepted = await acceptRisk({
      actor: admin,
      risk: "tokens.idle",
      targetId: minted.id,
      reason: "r",
      until: inDays(3),
      context,
    });
    const { principal: reader } = await makePrincipal(["auditor"]);
    expect(await codeOf(withdrawAcceptance({ actor: reader, id: accepted.id, context }))).toBe("forbidden");
    const { principal: member } = await makePrincipal(["member"]);
    expect(await codeOf(withdrawAcceptance({ actor: member, id: accepted.id, context }))).toBe("not_found");
    await withdrawAcceptance({ actor: admin, id: accepted.id, context });
    expect(await shown("tokens.idle", minted.id)).toBe(true);
    expect(await codeOf(withdrawAcceptance({ actor: admin, id: accepted.id, context }))).toBe("conflict");
    expect(await codeOf(withdrawAcceptance({ actor: admin, id: "rsk_nothere", context }))).toBe("not_found");
    const actions = (
      await db.auditEvent.findMany({ where: { targetId: minted.id }, orderBy: { id: "asc" } })
    ).map((event) => event.action);
    expect(actions).toEqual(["token.created", "risk.accepted", "risk.acceptance_withdrawn"]);
    const list = await listAcceptedRisks({ actor: admin, includeEnded: true });
    expect(list.items.find((item) => item.id === accepted.id)?.ended?.how).toBe("withdrawn");
    expect((await listAcceptedRisks({ actor: admin })).items.some((item) => item.id === accepted.id)).toBe(
      false,
    );
  });

  it("needs the target kind's write permission, the list's read permission and step-up", async () => {
    const { owner, minted } = await idleToken();
    const accept = (actor: Principal, risk: "tokens.idle" | "accounts.dormant", targetId: string) =>
      codeOf(acceptRisk({ actor, risk, targetId, reason: "because", until: inDays(10), context }));
    // The token's owner holds tokens.create, not tokens.write.
    expect(await accept(owner.principal, "tokens.idle", minted.id)).toBe("forbidden");
    const { principal: auditor } = await makePrincipal(["auditor"]);
    expect(await accept(auditor, "tokens.idle", minted.id)).toBe("forbidden");
    const { principal: userManager } = await makePrincipal(["user_manager"]);
    expect(await accept(userManager, "tokens.idle", minted.id)).toBe("forbidden");
    const dormant = await makeUser();
    expect(await accept(userManager, "accounts.dormant", dormant.id)).toBe("ok");
    expect(await shown("accounts.dormant", dormant.id)).toBe(false);
    const { principal: admin } = await makePrincipal(["admin"]);
    const stale = { ...admin, authTime: new Date(Date.now() - 3_600_000) };
    expect(await accept(stale, "tokens.idle", minted.id)).toBe("step_up_required");
    // Nobody vouches for themself: not for their own account, nor a token for itself.
    expect(await accept(admin, "accounts.dormant", admin.userId)).toBe("forbidden");
    const adminToken = await mintTestToken(admin, ["tokens.write", "tokens.read"]);
    const asToken = present(await verifyPersonalToken(adminToken.token));
    expect(await accept(asToken, "tokens.idle", adminToken.id)).toBe("forbidden");
    expect(await accept(asToken, "tokens.idle", minted.id)).toBe("ok");
    // The list shows only lists the caller may read.
    expect(await codeOf(listAcceptedRisks({ actor: userManager, risk: "tokens.idle" }))).toBe("forbidden");
    const theirs = await listAcceptedRisks({ actor: userManager });
    expect(theirs.items.every((item) => item.targetKind === "user")).toBe(true);
    expect(theirs.items.map((item) => item.targetId)).toContain(dormant.id);
  });

  it("refuses a missing target, a target of the wrong kind, no reason, and a date past or beyond a year", async () => {
    const { minted } = await idleToken();
    const { principal: admin } = await makePrincipal(["admin"]);
    const accept = (targetId: string, reason: string, until: Date) =>
      codeOf(acceptRisk({ actor: admin, risk: "tokens.idle", targetId, reason, until, context }));
    expect(await accept("tok_nothere", "r", inDays(5))).toBe("not_found");
    expect(await accept(admin.userId, "r", inDays(5))).toBe("invalid");
    expect(await accept(minted.id, "   ", inDays(5))).toBe("invalid");
    expect(await accept(minted.id, "r", daysAgo(1))).toBe("invalid");
    expect(await accept(minted.id, "r", inDays(400))).toBe("invalid");
    expect(await accept(minted.id, "r", inDays(365))).toBe("ok");
    expect(await db.riskAcceptance.count({ where: { targetId: "tok_nothere" } })).toBe(0);
  });

  it("the schemas refuse bad input", () => {
    const valid = { risk: "tokens.idle", targetId: "tok_abc", reason: "ok", until: "2031-01-01" };
    expect(acceptRiskSchema.parse(valid).until.toISOString()).toBe("2031-01-01T23:59:59.999Z");
    for (const bad of [
      { risk: "tokens.nope" },
      { risk: "__proto__" },
      { targetId: "rol_abc" },
      { reason: "" },
      { reason: "x".repeat(501) },
      { reason: "a\u0000b" },
      { reason: "\ud800" },
      { until: "soon" },
    ]) {
      expect(acceptRiskSchema.safeParse({ ...valid, ...bad }).success).toBe(false);
    }
    expect(withdrawAcceptanceSchema.safeParse({ id: "tok_abc" }).success).toBe(false);
    expect(listAcceptedRisksSchema.parse({ includeEnded: "true" })).toMatchObject({
      includeEnded: true,
      limit: 50,
    });
    expect(listAcceptedRisksSchema.safeParse({ limit: "1000" }).success).toBe(false);
  });

  it("pages through the accepted risks by cursor", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    for (let i = 0; i < 3; i++) {
      const { minted } = await idleToken();
      await acceptRisk({
        actor: admin,
        risk: "tokens.never_used",
        targetId: minted.id,
        reason: `r${i}`,
        until: inDays(i + 1),
        context,
      });
    }
    const first = await listAcceptedRisks({ actor: admin, risk: "tokens.never_used", limit: 2 });
    expect(first.items.map((item) => item.reason)).toEqual(["r0", "r1"]);
    const second = await listAcceptedRisks({
      actor: admin,
      risk: "tokens.never_used",
      limit: 2,
      after: present(first.nextCursor),
    });
    expect(second.items.map((item) => item.reason)).toEqual(["r2"]);
    expect(second.nextCursor).toBeNull();
  });
});
