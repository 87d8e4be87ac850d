import { describe, expect, it } from "vitest";

import { verifyClientSecret } from "@/lib/clients/verify-client-secret";
import { db } from "@/lib/db/client";
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
      targetKind: "access_token",
      ip: "203.0.113.7",
    });
    expect(event.details).toMatchObject({
      grant: "client_credentials",
      scope: "users.read",
      unrecordedSincePrevious: 0,
    });
    expect(event.targetId).toMatch(/^jti_/);
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

  it("records nothing as issued when the token is refused", async () => {
    const { clientId, clientSecret } = await newClient();
    const refused = await requestClientToken(clientId, clientSecret, { scope: "users.write" });
    expect(refused.status).toBe(400);
    expect(await issuedEvents(clientId)).toHaveLength(0);
  });
});
