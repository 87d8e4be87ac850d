import { describe, expect, it } from "vitest";

import { developerWith, makeTestClient } from "../../test/credentials.ts";
import { codeOf, makePrincipal, TEST_CONTEXT } from "../../test/factories.ts";
import { db } from "../db/client.ts";
import { deleteUser } from "../users/manage-user.ts";
import { listClientsSchema } from "./client-schemas.ts";
import { getClient, listClients } from "./list-clients.ts";
import { createClient, deleteClient, rotateClientSecret, updateClient } from "./manage-clients.ts";
import { acceptClientReassignment, reassignClient } from "./reassign-client.ts";
import { verifyClientSecret } from "./verify-client-secret.ts";

const context = TEST_CONTEXT;

describe("API clients", () => {
  it("are created with scopes within the creator's permissions, the secret shown once and stored hashed", async () => {
    const { principal } = await developerWith(["users.read"]);
    const created = await makeTestClient(principal, ["users.read"]);
    expect(created.clientSecret).toMatch(/^kw_cs_/);
    expect(
      JSON.stringify(await db.apiClientSecret.findMany({ where: { clientId: created.clientId } })),
    ).not.toContain(created.clientSecret);
    const escalation = createClient({
      actor: principal,
      name: "x",
      description: "",
      scopes: ["users.write"],
      context,
    });
    expect(await codeOf(escalation)).toBe("forbidden");
    const { principal: member } = await makePrincipal(["member"]);
    expect(await codeOf(makeTestClient(member, []))).toBe("forbidden");
  });

  it("cannot be managed by someone holding fewer permissions than the client", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const powerful = await makeTestClient(admin, ["users.write", "settings.write"]);
    const { principal: developer } = await makePrincipal(["developer"]);
    const attempts = [
      () => rotateClientSecret({ actor: developer, clientId: powerful.clientId, overlapMinutes: 0, context }),
      () =>
        reassignClient({ actor: developer, clientId: powerful.clientId, owner: developer.userId, context }),
      () =>
        updateClient({
          actor: developer,
          clientId: powerful.clientId,
          name: "mine",
          description: "",
          scopes: ["clients.read"],
          context,
        }),
      () => deleteClient({ actor: developer, clientId: powerful.clientId, context }),
    ];
    for (const attempt of attempts) expect(await codeOf(attempt())).toBe("forbidden");
    expect(await verifyClientSecret(powerful.clientId, powerful.clientSecret)).not.toBeNull();
  });

  it("become orphaned when the owner is deleted, and work again once reassigned", async () => {
    const { principal: admin } = await makePrincipal(["admin"]);
    const { user, principal } = await developerWith(["users.read"]);
    const created = await makeTestClient(principal, ["users.read"]);
    await deleteUser({ actor: admin, userId: user.id, context });
    expect((await getClient(admin, created.clientId)).status).toBe("orphaned");
    const orphans = await listClients(admin, listClientsSchema.parse({ status: "orphaned" }));
    expect(orphans.items.map((item) => item.id)).toContain(created.clientId);
    expect((await verifyClientSecret(created.clientId, created.clientSecret))?.ownerActive).toBe(false);
    await reassignClient({ actor: admin, clientId: created.clientId, owner: admin.userId, context });
    // A proposal changes nothing until it is accepted.
    expect((await verifyClientSecret(created.clientId, created.clientSecret))?.ownerActive).toBe(false);
    const accepted = await acceptClientReassignment({
      actor: admin,
      clientId: created.clientId,
      overlapMinutes: 0,
      context,
    });
    expect(await verifyClientSecret(created.clientId, created.clientSecret)).toBeNull();
    const state = await verifyClientSecret(created.clientId, accepted.clientSecret);
    expect(state?.ownerActive).toBe(true);
    expect(state?.effectiveScopes).toEqual(["users.read"]);
    const events = await db.auditEvent.findMany({
      where: { targetId: created.clientId },
      orderBy: { id: "asc" },
    });
    expect(events.map((event) => event.action)).toEqual([
      "client.created",
      "client.reassignment_proposed",
      "client.reassignment_accepted",
    ]);
  });

  it("store whether they require DPoP: set at creation, kept when an edit leaves it out, cleared, each audited", async () => {
    const { principal } = await developerWith(["users.read", "clients.read"]);
    const created = await createClient({
      actor: principal,
      name: `dpop ${Math.random()}`,
      description: "",
      scopes: ["users.read"],
      requireDpop: true,
      context,
    });
    const { clientId } = created;
    expect((await getClient(principal, clientId)).requireDpop).toBe(true);
    expect((await verifyClientSecret(clientId, created.clientSecret))?.requireDpop).toBe(true);
    const edit = { actor: principal, clientId, description: "", scopes: ["users.read" as const], context };
    await updateClient({ ...edit, name: "dpop renamed" });
    expect((await getClient(principal, clientId)).requireDpop).toBe(true);
    await updateClient({ ...edit, name: "dpop renamed", requireDpop: false });
    expect((await getClient(principal, clientId)).requireDpop).toBe(false);
    // The token endpoint reads the client through the credential cache: the change reaches it.
    expect((await verifyClientSecret(clientId, created.clientSecret))?.requireDpop).toBe(false);
    const events = await db.auditEvent.findMany({ where: { targetId: clientId }, orderBy: { id: "asc" } });
    expect(events.map((event) => [event.action, event.details])).toMatchObject([
      ["client.created", { after: { requireDpop: true } }],
      ["client.updated", { before: { name: expect.any(String), requireDpop: true } }],
      ["client.updated", { before: { requireDpop: true }, after: { requireDpop: false } }],
    ]);
    expect(events[1]?.details).toMatchObject({ after: { name: "dpop renamed", requireDpop: true } });
  });

  it("verify a secret only for its own client_id and only until an overlap ends", async () => {
    const { principal } = await developerWith(["users.read"]);
    const one = await makeTestClient(principal, ["users.read"]);
    const two = await makeTestClient(principal, ["users.read"]);
    expect(await verifyClientSecret(two.clientId, one.clientSecret)).toBeNull();
    const rotated = await rotateClientSecret({
      actor: principal,
      clientId: one.clientId,
      overlapMinutes: 0,
      context,
    });
    expect(await verifyClientSecret(one.clientId, one.clientSecret)).toBeNull();
    expect(await verifyClientSecret(one.clientId, rotated.clientSecret)).not.toBeNull();
  });
});
