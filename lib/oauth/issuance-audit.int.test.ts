import { describe, expect, it } from "vitest";

import { BUILT_IN_API_ID } from "@/lib/apis/built-in-api";
import { createClient } from "@/lib/clients/manage-clients";
import { verifyClientSecret } from "@/lib/clients/verify-client-secret";
import { db } from "@/lib/db/client";
import { developerHolding, makeApi } from "@/test/api-factories";
import { developerWith, makeTestClient, requestClientToken } from "@/test/credentials";
import { present, TEST_CONTEXT } from "@/test/factories";

import { issueClientCredentialsToken } from "./client-credentials.ts";
import { ISSUANCE_AUDIT_WINDOW_MS } from "./issuance-audit.ts";

async function newClient() {
  const owner = await developerWith(["users.read"]);
  return makeTestClient(owner.principal, ["users.read"]);
}

const issuedEvents = (clientId: string) =>
  db.auditEvent.findMany({
    where: { action: "oauth.token_issued", actorId: clientId },
    orderBy: { id: "asc" },
  });

// Guarantee (ASVS 16.3.1): a client getting tokens is in the audit log, once per client per hour
// with a count of the issuances in between, so that a busy service does not flood it.
describe("auditing client-credentials issuance", () => {
  it("records the first issuance of the hour, not the next ones", async () => {
    const { clientId, clientSecret } = await newClient();
    const first = await requestClientToken(clientId, clientSecret, { scope: "users.read" });
    const second = await requestClientToken(clientId, clientSecret);
    expect([first.status, second.status]).toEqual([200, 200]);
    const events = await issuedEvents(clientId);
    expect(events).toHaveLength(1);
    const event = present(events[0]);
    expect(event).toMatchObject({
      outcome: "success",
      actorKind: "client",
      actorId: clientId,
      // The API is the target, so the event shows on the API's page (issue 14, the inventory).
      targetKind: "api",
      targetId: BUILT_IN_API_ID,
      ip: "203.0.113.7",
    });
    expect(event.details).toMatchObject({
      grant: "client_credentials",
      scope: "users.read",
      unrecordedSincePrevious: 0,
    });
    expect((event.details as { jti?: string }).jti).toMatch(/^jti_/);
  });

  it("records again after the hour, counting the issuances it did not record", async () => {
    const { clientId, clientSecret } = await newClient();
    const client = present(await verifyClientSecret(clientId, clientSecret));
    const start = Date.now();
    const params = { scope: undefined, resources: [] };
    for (const at of [start, start + 1_000, start + 60_000, start + ISSUANCE_AUDIT_WINDOW_MS - 1]) {
      await issueClientCredentialsToken(client, params, { context: TEST_CONTEXT, now: at });
    }
    expect(await issuedEvents(clientId)).toHaveLength(1);

    const later = start + ISSUANCE_AUDIT_WINDOW_MS + 1_000;
    await issueClientCredentialsToken(client, params, { context: TEST_CONTEXT, now: later });
    await issueClientCredentialsToken(client, params, { context: TEST_CONTEXT, now: later + 5_000 });
    const events = await issuedEvents(clientId);
    expect(events).toHaveLength(2);
    expect(present(events[1]).details).toMatchObject({
      unrecordedSincePrevious: 3,
      previousAt: new Date(start).toISOString(),
    });
  });

  it("keeps each client's hour apart", async () => {
    const a = await newClient();
    const b = await newClient();
    await requestClientToken(a.clientId, a.clientSecret);
    await requestClientToken(b.clientId, b.clientSecret);
    await requestClientToken(a.clientId, a.clientSecret);
    expect(await issuedEvents(a.clientId)).toHaveLength(1);
    expect(await issuedEvents(b.clientId)).toHaveLength(1);
  });

  it("keeps each API's hour apart, and records a refusal at an API against that API", async () => {
    const orders = await makeApi({ permissions: ["orders.read"], label: "Orders" });
    const billing = await makeApi({ permissions: ["billing.read"], label: "Billing" });
    const ids = [
      present(orders.permissionIds["orders.read"]),
      present(billing.permissionIds["billing.read"]),
    ];
    const { principal } = await developerHolding(ids);
    const { clientId, clientSecret } = await createClient({
      actor: principal,
      name: "two APIs",
      description: "",
      scopes: [],
      apiPermissionIds: ids,
      context: TEST_CONTEXT,
    });
    for (const api of [orders, billing, orders]) {
      expect((await requestClientToken(clientId, clientSecret, { resource: api.identifier })).status).toBe(
        200,
      );
    }
    const events = await issuedEvents(clientId);
    expect(events.map((event) => event.targetId).sort()).toEqual([orders.id, billing.id].sort());

    // A scope the API does not define: refused, and the refusal names the client and the API.
    const refused = await requestClientToken(clientId, clientSecret, {
      resource: orders.identifier,
      scope: "orders.delete",
    });
    expect(refused.body).toMatchObject({ error: "invalid_scope" });
    const failure = present(
      await db.auditEvent.findFirst({ where: { action: "oauth.token_failed", targetId: orders.id } }),
    );
    expect(failure).toMatchObject({
      outcome: "failure",
      actorKind: "client",
      actorId: clientId,
      targetKind: "api",
    });
  });

  it("records nothing as issued when the token is refused", async () => {
    const { clientId, clientSecret } = await newClient();
    const refused = await requestClientToken(clientId, clientSecret, { scope: "users.write" });
    expect(refused.status).toBe(400);
    expect(await issuedEvents(clientId)).toHaveLength(0);
  });
});
