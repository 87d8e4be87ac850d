import { describe, expect, it } from "vitest";

import { clientAccessToken, makeTestClient, mintTestToken } from "../../test/credentials.ts";
import { makeApi, makeApiRole } from "../../test/api-factories.ts";
import { codeOf, makePrincipal, present, TEST_CONTEXT } from "../../test/factories.ts";
import type { Principal } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { verifyAccessToken } from "../oauth/verify-access-token.ts";
import { verifyPersonalToken } from "../tokens/verify-token.ts";
import { getClient } from "./list-clients.ts";
import { createClient } from "./manage-clients.ts";
import {
  acceptClientReassignment,
  declineClientReassignment,
  listOfferedClients,
  reassignClient,
} from "./reassign-client.ts";
import { verifyClientSecret } from "./verify-client-secret.ts";

const context = TEST_CONTEXT;

/** The same session, as if its sign-in were an hour old (outside the step-up window). */
const stale = <T extends { authTime: Date }>(principal: T): T => ({
  ...principal,
  authTime: new Date(Date.now() - 3_600_000),
});

// Guarantee (issue 12, §2): a client changes hands only when its new owner accepts, and then only
// they hold a working secret; nobody reassigns what they may not manage, nor to whom they may not manage.
describe("client reassignment", () => {
  it("is a proposal until the new owner accepts: then the secret rotates with their overlap and only they see it", async () => {
    const { principal: owner } = await makePrincipal(["developer"]);
    const { principal: admin } = await makePrincipal(["admin"]);
    const { user: next, principal: nextOwner } = await makePrincipal(["developer"]);
    const created = await makeTestClient(owner, ["clients.read"]);

    await reassignClient({ actor: admin, clientId: created.clientId, owner: next.email, context });
    const pending = await getClient(admin, created.clientId);
    expect(pending.owner?.id).toBe(owner.userId);
    expect(pending.pendingOwner?.id).toBe(next.id);
    expect((await verifyClientSecret(created.clientId, created.clientSecret))?.effectiveScopes).toEqual([
      "clients.read",
    ]);
    expect((await listOfferedClients(nextOwner)).map((offer) => offer.id)).toEqual([created.clientId]);
    expect(await listOfferedClients(owner)).toEqual([]);

    // Only the proposed owner accepts, from a session under step-up, never with a token.
    expect(
      await codeOf(
        acceptClientReassignment({ actor: admin, clientId: created.clientId, overlapMinutes: 0, context }),
      ),
    ).toBe("not_found");
    const token = present(
      await verifyPersonalToken((await mintTestToken(nextOwner, ["clients.write"])).token),
    );
    expect(
      await codeOf(
        acceptClientReassignment({ actor: token, clientId: created.clientId, overlapMinutes: 0, context }),
      ),
    ).toBe("session_required");
    expect(
      await codeOf(
        acceptClientReassignment({
          actor: stale(nextOwner),
          clientId: created.clientId,
          overlapMinutes: 0,
          context,
        }),
      ),
    ).toBe("step_up_required");
    const fresh = nextOwner;

    const accepted = await acceptClientReassignment({
      actor: fresh,
      clientId: created.clientId,
      overlapMinutes: 60,
      context,
    });
    expect(accepted.clientSecret).toMatch(/^kw_cs_/);
    expect(accepted.oldSecretExpiresAt?.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    const after = await getClient(admin, created.clientId);
    expect(after.owner?.id).toBe(next.id);
    expect(after.pendingOwner).toBeNull();
    // The old secret works for the chosen overlap only, then only the new owner's does.
    expect(await verifyClientSecret(created.clientId, created.clientSecret)).not.toBeNull();
    const secrets = await db.apiClientSecret.findMany({ where: { clientId: created.clientId } });
    expect(secrets.map((secret) => secret.expiresAt?.getTime() ?? null).sort()).toEqual([
      accepted.oldSecretExpiresAt?.getTime(),
      null,
    ]);
    expect((await verifyClientSecret(created.clientId, accepted.clientSecret))?.ownerActive).toBe(true);
    // Accepting twice finds nothing.
    expect(
      await codeOf(
        acceptClientReassignment({ actor: fresh, clientId: created.clientId, overlapMinutes: 0, context }),
      ),
    ).toBe("not_found");

    const events = await db.auditEvent.findMany({
      where: { targetId: created.clientId },
      orderBy: { id: "asc" },
    });
    expect(events.map((event) => event.action)).toEqual([
      "client.created",
      "client.reassignment_proposed",
      "client.reassignment_accepted",
    ]);
    expect(events[2]?.actorId).toBe(next.id);
    expect(events[2]?.details).toMatchObject({ overlapMinutes: 60, after: { owner: next.email } });
    expect(JSON.stringify(events.map((event) => event.details))).not.toContain(accepted.clientSecret);
  });

  it("refuses the access tokens obtained before the hand-over: they must not act for the new owner", async () => {
    const { principal: owner } = await makePrincipal(["developer"]);
    const { principal: admin } = await makePrincipal(["admin"]);
    const { user: next, principal: nextOwner } = await makePrincipal(["developer"]);
    const created = await makeTestClient(owner, ["clients.read"]);
    const before = await clientAccessToken(created.clientId, created.clientSecret);
    expect((await verifyAccessToken(before))?.usable).toBe(true);

    await reassignClient({ actor: admin, clientId: created.clientId, owner: next.email, context });
    // Still the old owner's until accepted: their token keeps working.
    expect((await verifyAccessToken(before))?.usable).toBe(true);
    // Even with an overlap for the old secret, what was issued before the hand-over stops at once.
    const accepted = await acceptClientReassignment({
      actor: nextOwner,
      clientId: created.clientId,
      overlapMinutes: 60,
      context,
    });
    const refused = await verifyAccessToken(before);
    expect(refused?.usable).toBe(false);
    // iat has whole seconds: a token from the hand-over's second is refused too, so wait for the next.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const fresh = await clientAccessToken(created.clientId, accepted.clientSecret);
    expect(await verifyAccessToken(fresh)).toMatchObject({ usable: true, ownerId: next.id });
  });

  it("needs the right to manage the client and the new owner, a new owner who may own it, and a session", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { principal: developer } = await makePrincipal(["developer"]);
    const { user: otherAdmin } = await makePrincipal(["admin"]);
    const { user: member } = await makePrincipal(["member"]);
    const { user: otherDeveloper } = await makePrincipal(["developer"]);
    const mine = await makeTestClient(developer, ["clients.read"]);
    const powerful = await makeTestClient(admin, ["users.write"]);

    const propose = (actor: Principal, clientId: string, owner: string) =>
      codeOf(reassignClient({ actor, clientId, owner, context }));
    // The developer may manage their client but not an Administrator: handing them a client is
    // managing them (it acts for them).
    expect(await propose(developer, mine.clientId, otherAdmin.email)).toBe("forbidden");
    // Nor a client holding more than they do.
    expect(await propose(developer, powerful.clientId, otherDeveloper.email)).toBe("forbidden");
    // A new owner must be able to manage what they own: clients.write and every scope.
    expect(await propose(admin, mine.clientId, member.email)).toBe("forbidden");
    expect(await propose(admin, powerful.clientId, otherDeveloper.email)).toBe("forbidden");
    expect(await propose(admin, mine.clientId, "nobody@example.test")).toBe("not_found");
    const token = present(
      await verifyPersonalToken((await mintTestToken(developer, ["clients.write", "clients.read"])).token),
    );
    expect(await propose(token, mine.clientId, otherDeveloper.email)).toBe("session_required");
    expect(await propose(stale(developer), mine.clientId, otherDeveloper.email)).toBe("step_up_required");
    expect(
      (await db.apiClient.findUniqueOrThrow({ where: { id: mine.clientId } })).pendingOwnerId,
    ).toBeNull();
    // A developer may hand their own client to another developer.
    expect(await propose(developer, mine.clientId, otherDeveloper.email)).toBe("ok");
  });

  it("goes only to someone who holds the other APIs' permissions the client is allowed, or owns their API", async () => {
    const { user: apiOwner } = await makePrincipal(["developer"]);
    const api = await makeApi({ ownerId: apiOwner.id, permissions: ["orders.read"] });
    const ordersRead = api.permissionIds["orders.read"] ?? "";
    const { principal: admin } = await makePrincipal(["admin"]);
    const created = await createClient({
      actor: admin,
      name: "orders sync",
      description: "",
      scopes: [],
      apiPermissionIds: [ordersRead],
      context,
    });
    const { user: without } = await makePrincipal(["developer"]);
    const role = await makeApiRole([ordersRead]);
    const { user: holder, principal: holderSession } = await makePrincipal(["developer"], [role.id]);

    const propose = (owner: string) =>
      codeOf(reassignClient({ actor: admin, clientId: created.clientId, owner, context }));
    expect(await propose(without.email)).toBe("forbidden");
    expect(await propose(apiOwner.email)).toBe("ok");
    expect(await propose(holder.email)).toBe("ok");

    // Holding it when proposed is not enough: the role is gone by the time they accept.
    await db.roleAssignment.deleteMany({ where: { userId: holder.id, roleId: role.id } });
    expect(
      await codeOf(
        acceptClientReassignment({
          actor: holderSession,
          clientId: created.clientId,
          overlapMinutes: 0,
          context,
        }),
      ),
    ).toBe("forbidden");
    expect((await db.apiClient.findUniqueOrThrow({ where: { id: created.clientId } })).ownerId).toBe(
      admin.userId,
    );
  });

  it("can be declined by the proposed owner or withdrawn by a manager; the owner stays", async () => {
    const { principal: owner } = await makePrincipal(["developer"]);
    const { principal: proposed } = await makePrincipal(["developer"]);
    const { principal: stranger } = await makePrincipal(["developer"]);
    const created = await makeTestClient(owner, ["clients.read"]);
    await reassignClient({ actor: owner, clientId: created.clientId, owner: proposed.userId, context });
    expect(
      await codeOf(declineClientReassignment({ actor: stranger, clientId: created.clientId, context })),
    ).toBe("ok");
    // The stranger is a developer holding the client's scopes: they manage it, so they may withdraw.
    expect((await getClient(owner, created.clientId)).pendingOwner).toBeNull();

    await reassignClient({ actor: owner, clientId: created.clientId, owner: proposed.userId, context });
    const { principal: member } = await makePrincipal(["member"]);
    expect(
      await codeOf(declineClientReassignment({ actor: member, clientId: created.clientId, context })),
    ).toBe("forbidden");
    await declineClientReassignment({ actor: proposed, clientId: created.clientId, context });
    const client = await getClient(owner, created.clientId);
    expect(client.pendingOwner).toBeNull();
    expect(client.owner?.id).toBe(owner.userId);
    expect(await verifyClientSecret(created.clientId, created.clientSecret)).not.toBeNull();
    expect(
      await codeOf(declineClientReassignment({ actor: proposed, clientId: created.clientId, context })),
    ).toBe("not_found");
    const declined = await db.auditEvent.findMany({
      where: { targetId: created.clientId, action: "client.reassignment_declined" },
    });
    expect(declined.map((event) => (event.details as { by: string }).by)).toEqual([
      "manager",
      "proposed owner",
    ]);
  });
});
