import { describe, expect, it } from "vitest";
import type { z } from "zod";

import * as credentialsRoute from "@/app/api/v1/apis/[apiId]/credentials/route";
import { GET as listUsersRoute } from "@/app/api/v1/users/route";
import { V1 } from "@/lib/api/v1-operations";
import { createClient, setClientEnabled } from "@/lib/clients/manage-clients";
import { flushLastUsed } from "@/lib/credentials/last-used";
import { db } from "@/lib/db/client";
import { revokeToken } from "@/lib/tokens/manage-tokens";
import { mintToken } from "@/lib/tokens/mint-token";
import { developerHolding, makeApi } from "@/test/api-factories";
import { developerWith, mintTestToken, requestClientToken } from "@/test/credentials";
import { codeOf, makePrincipal, present, signedInCookie, TEST_CONTEXT } from "@/test/factories";
import { call } from "@/test/requests";
import { introspectAs, makeResourceServer } from "@/test/resource-servers";

import { BUILT_IN_API_ID } from "./built-in-api.ts";
import { credentialCounts, listApiCredentials } from "./api-inventory.ts";

type Handler = Parameters<typeof call>[0];
const context = TEST_CONTEXT;
const page = { limit: 50 };

/** An Orders API whose developer holds orders.read, with a live token and a client carrying it. */
async function ordersWithCredentials() {
  const api = await makeApi({ permissions: ["orders.read", "orders.write"], label: "Orders" });
  const read = present(api.permissionIds["orders.read"]);
  const dev = await developerHolding([read]);
  const token = await mintToken({
    actor: dev.principal,
    name: "nightly report",
    scopes: [],
    apiPermissionIds: [read],
    expiration: "30",
    context,
  });
  const client = await createClient({
    actor: dev.principal,
    name: "orders sync",
    description: "",
    scopes: [],
    apiPermissionIds: [read],
    context,
  });
  return { api, dev, token, client };
}

// Guarantee (issue 14 §7): an API's page names every live token and client holding its
// permissions, and when each was last seen at THAT API (introspection for a personal token,
// issuance for a client), from the batched last-use writes.
describe("the API inventory", () => {
  it("lists live holders with their permissions there, never used first, and their use at this API only", async () => {
    const { api, dev, token, client } = await ordersWithCredentials();
    const { principal: admin } = await makePrincipal(["admin"]);
    // Not holders: a revoked token, and a token of another API.
    const gone = await mintToken({
      actor: dev.principal,
      name: "old",
      scopes: [],
      apiPermissionIds: [present(api.permissionIds["orders.read"])],
      expiration: "30",
      context,
    });
    await revokeToken({ actor: dev.principal, tokenId: gone.id, context });

    const before = await listApiCredentials(admin, api.id, page);
    expect(before.total).toBe(2);
    expect(before.items).toEqual([
      expect.objectContaining({
        kind: "client",
        id: client.clientId,
        permissions: ["orders.read"],
        lastUsedAt: null,
      }),
      expect.objectContaining({
        kind: "token",
        id: token.id,
        name: "nightly report",
        owner: expect.objectContaining({ id: dev.user.id, email: dev.user.email }),
        permissions: ["orders.read"],
        lastUsedAt: null,
      }),
    ]);
    expect((await credentialCounts([api.id])).get(api.id)).toBe(2);

    // The Orders API introspects the token; the client gets a token for the Orders API.
    const rs = await makeResourceServer(api.id);
    expect((await introspectAs(rs.authorization, token.token)).body).toMatchObject({ active: true });
    const issued = await requestClientToken(client.clientId, client.clientSecret, {
      resource: api.identifier,
    });
    expect(issued.status).toBe(200);
    await flushLastUsed();

    const after = await listApiCredentials(admin, api.id, page);
    for (const item of after.items) expect(item.lastUsedAt).toBeInstanceOf(Date);
    const tokenRow = await db.apiToken.findUniqueOrThrow({ where: { id: token.id } });
    expect(tokenRow.lastUsedAt).toBeInstanceOf(Date);
    // The use is per API: none is recorded at Keyward's own API for these two.
    expect(await db.apiTokenUse.findMany({ where: { tokenId: token.id } })).toEqual([
      expect.objectContaining({ apiId: api.id }),
    ]);
    expect(await db.apiClientUse.findMany({ where: { clientId: client.clientId } })).toEqual([
      expect.objectContaining({ apiId: api.id }),
    ]);

    // A disabled client is still listed (it holds the grant), flagged.
    await setClientEnabled({ actor: dev.principal, clientId: client.clientId, enabled: false, context });
    const flagged = await listApiCredentials(admin, api.id, page);
    expect(flagged.items.find((item) => item.kind === "client")).toMatchObject({ disabled: true });
  });

  it("records a request to Keyward's own API as a use at the built-in API", async () => {
    const { principal } = await developerWith(["users.read"]);
    const { token, id: tokenId } = await mintTestToken(principal, ["users.read"]);
    const answer = await call(listUsersRoute as unknown as Handler, { bearer: token, path: "/api/v1/users" });
    expect(answer.status).toBe(200);
    await flushLastUsed();
    expect(await db.apiTokenUse.findMany({ where: { tokenId } })).toEqual([
      expect.objectContaining({ apiId: BUILT_IN_API_ID }),
    ]);
    const row = await db.apiToken.findUniqueOrThrow({ where: { id: tokenId } });
    expect(row.lastUsedIp).toBe("203.0.113.7");
  });

  it("pages with a cursor and counts them all", async () => {
    const { api } = await ordersWithCredentials();
    const { principal: admin } = await makePrincipal(["admin"]);
    const first = await listApiCredentials(admin, api.id, { limit: 1 });
    expect(first).toMatchObject({ total: 2, nextCursor: "1" });
    const second = await listApiCredentials(admin, api.id, { limit: 1, after: "1" });
    expect(second).toMatchObject({ total: 2, nextCursor: null });
    expect(second.items[0]?.id).not.toBe(first.items[0]?.id);
    const past = await listApiCredentials(admin, api.id, { limit: 1, after: "5" });
    expect(past).toMatchObject({ items: [], total: 2, nextCursor: null });
  });

  it("is for apis.read or the API's owner; anyone else is told it does not exist", async () => {
    const { api } = await ordersWithCredentials();
    const { principal: member } = await makePrincipal(["member"]);
    expect(await codeOf(listApiCredentials(member, api.id, page))).toBe("not_found");
    const { principal: owner, user } = await makePrincipal(["member"]);
    await db.api.update({ where: { id: api.id }, data: { ownerId: user.id } });
    expect((await listApiCredentials(owner, api.id, page)).total).toBe(2);
  });

  it("answers over REST as documented, and refuses a bearer without apis.read", async () => {
    const { api, dev } = await ordersWithCredentials();
    const { user: admin } = await makePrincipal(["admin"]);
    const { cookie } = await signedInCookie(admin.id);
    const handler = credentialsRoute.GET as unknown as Handler;
    const listed = await call(handler, {
      cookie,
      params: { apiId: api.id },
      path: `/api/v1/apis/${api.id}/credentials`,
    });
    expect(listed.status).toBe(200);
    const schema = V1.listApiCredentials.response as z.ZodType;
    expect(schema.parse(listed.body)).toEqual(listed.body);
    expect(listed.body).toMatchObject({ total: 2, nextCursor: null });

    const badCursor = await call(handler, {
      cookie,
      params: { apiId: api.id },
      path: `/api/v1/apis/${api.id}/credentials?after=-1`,
    });
    expect(badCursor.status).toBe(400);
    expect(badCursor.headers.get("content-type")).toBe("application/problem+json");

    // The developer's token carries orders.read, not apis.read: the API is not theirs to see.
    const { token } = await mintTestToken(dev.principal, ["tokens.create"]);
    const denied = await call(handler, {
      bearer: token,
      params: { apiId: api.id },
      path: `/api/v1/apis/${api.id}/credentials`,
    });
    expect(denied.status).toBe(404);
  });
});
