import { describe, expect, it } from "vitest";

import { db } from "@/lib/db/client";
import { clearOverviewFigures } from "@/lib/overview/figures-cache";
import { overviewResource, riskPageResource } from "@/lib/overview/overview-schemas";
import { developerWith, mintTestToken } from "@/test/credentials";
import { makePrincipal, makeRole, makeUser, present, signedInCookie, TEST_CONTEXT } from "@/test/factories";
import { call } from "@/test/requests";

import * as overview from "./route";
import * as list from "./risks/[risk]/route";
import * as exported from "./risks/[risk]/export/route";

const DAY = 86_400_000;

/** A bearer token holding exactly these permissions (its owner holds them through a role). */
async function bearerWith(permissions: Parameters<typeof makeRole>[0]) {
  const { principal } = await developerWith(permissions);
  return (await mintTestToken(principal, permissions)).token;
}

describe("GET /api/v1/overview", () => {
  it("answers each part to the holders of its read permission, in the declared shape", async () => {
    const auditor = await bearerWith(["audit.read"]);
    const res = await call(overview.GET, { path: "/api/v1/overview", bearer: auditor });
    expect(res.status).toBe(200);
    const body = overviewResource.parse(res.body);
    // Only the sign-in cards: no MFA, no credential or account lists.
    expect(body.signIns).not.toBeNull();
    expect(body.recentChanges).not.toBeNull();
    expect(body.mfa).toBeNull();
    expect(body.signingKeys).toBeNull();
    expect(body.risks).toEqual([]);
    expect(body.daily).toHaveLength(30);
    expect(body.daily[0]).not.toHaveProperty("mfaUsers");

    const admin = await makePrincipal(["admin"]);
    const { cookie } = await signedInCookie(admin.user.id);
    const full = overviewResource.parse(
      (await call(overview.GET, { path: "/api/v1/overview", cookie })).body,
    );
    expect(full.mfa?.activeUsers).toBeGreaterThan(0);
    expect(full.risks.map((r) => r.risk)).toContain("tokens.idle");
    expect(full.risks.map((r) => r.risk)).toContain("mfa.missing");
  });

  it("refuses a caller who may read none of it, and one without credentials", async () => {
    const member = await makeUser();
    const { cookie } = await signedInCookie(member.id);
    const res = await call(overview.GET, { path: "/api/v1/overview", cookie });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await call(overview.GET, { path: "/api/v1/overview" })).status).toBe(401);
  });
});

describe("GET /api/v1/overview/risks/{risk}", () => {
  it("lists and exports an idle token for tokens.read, and refuses a list the caller may not read", async () => {
    const { principal: owner } = await developerWith(["users.read"]);
    const token = await mintTestToken(owner, ["users.read"]);
    await db.apiToken.update({
      where: { id: token.id },
      data: {
        name: '=HYPERLINK("evil")',
        createdAt: new Date(Date.now() - 60 * DAY),
        lastUsedAt: new Date(Date.now() - 40 * DAY),
      },
    });
    const reader = await bearerWith(["tokens.read"]);
    const res = await call(list.GET, {
      path: "/api/v1/overview/risks/tokens.idle",
      params: { risk: "tokens.idle" },
      bearer: reader,
    });
    expect(res.status).toBe(200);
    const page = riskPageResource.parse(res.body);
    const item = present(page.items.find((i) => i.targetId === token.id));
    expect(item.owner?.id).toBe(owner.userId);

    const csv = await exported.GET(
      new (await import("next/server")).NextRequest(
        "http://localhost:3000/api/v1/overview/risks/tokens.idle/export",
        {
          headers: { authorization: `Bearer ${reader}`, "x-keyward-peer": "203.0.113.7" },
        },
      ),
      { params: Promise.resolve({ risk: "tokens.idle" }) },
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const text = await csv.text();
    expect(text.split("\r\n")[0]).toBe("risk,kind,id,name,ownerName,ownerEmail,at,used,unused");
    // A name that would run as a formula in a spreadsheet is defused.
    expect(text).toContain(`tokens.idle,token,${token.id},"'=HYPERLINK(""evil"")"`);

    // tokens.read does not open the user lists; an unknown list is bad input, not a 500.
    const users = await call(list.GET, {
      path: "/api/v1/overview/risks/accounts.dormant",
      params: { risk: "accounts.dormant" },
      bearer: reader,
    });
    expect(users.status).toBe(403);
    const unknown = await call(list.GET, {
      path: "/api/v1/overview/risks/tokens.everything",
      params: { risk: "tokens.everything" },
      bearer: reader,
    });
    expect(unknown.status).toBe(400);
    const badCursor = await call(list.GET, {
      path: "/api/v1/overview/risks/tokens.idle?after=%00%27",
      params: { risk: "tokens.idle" },
      bearer: reader,
    });
    expect(badCursor.status).toBe(400);
  });
});

describe("the overview's counts", () => {
  it("are shared between renders, and recounted as soon as a token is revoked or a risk accepted", async () => {
    const admin = await makePrincipal(["admin"]);
    const { cookie } = await signedInCookie(admin.user.id);
    const idleCount = async () => {
      const body = overviewResource.parse(
        (await call(overview.GET, { path: "/api/v1/overview", cookie })).body,
      );
      return present(body.risks.find((r) => r.risk === "tokens.idle")).count;
    };
    const { principal: owner } = await developerWith(["users.read"]);
    const idle = async () => {
      const token = await mintTestToken(owner, ["users.read"]);
      await db.apiToken.update({
        where: { id: token.id },
        data: { createdAt: new Date(Date.now() - 60 * DAY), lastUsedAt: new Date(Date.now() - 40 * DAY) },
      });
      return token;
    };
    const [first, second] = [await idle(), await idle()];
    // Revoking goes through the change feed: the next render counts again.
    const { revokeToken } = await import("@/lib/tokens/manage-tokens");
    // Made behind Keyward's back (a direct update): only the freshness window would show them.
    clearOverviewFigures();
    const before = await idleCount();
    expect(await idleCount()).toBe(before);
    await revokeToken({ actor: admin.principal, tokenId: first.id, context: TEST_CONTEXT });
    expect(await idleCount()).toBe(before - 1);
    const { acceptRisk } = await import("@/lib/remedies/accept-risk");
    await acceptRisk({
      actor: admin.principal,
      risk: "tokens.idle",
      targetId: second.id,
      reason: "Quarterly job",
      until: new Date(Date.now() + 30 * DAY),
      context: TEST_CONTEXT,
    });
    expect(await idleCount()).toBe(before - 2);
  });
});
