import { decodeJwt } from "jose";
import { describe, expect, it } from "vitest";

import { GET as me } from "@/app/api/v1/me/route";
import { createClient, updateClient } from "@/lib/clients/manage-clients";
import { getConfig } from "@/lib/config/env";
import { developerHolding, makeApi } from "@/test/api-factories";
import { developerWith, makeTestClient, mintTestToken } from "@/test/credentials";
import { dpopKey, type DpopKey } from "@/test/dpop";
import { dpopNonceDance, dpopTokenRequest } from "@/test/dpop-token";
import { TEST_CONTEXT } from "@/test/factories";
import { introspectAs, makeResourceServer } from "@/test/resource-servers";
import { call } from "@/test/requests";

/*
 * Guarantee (issue 16, RFC 9449): a client that proves a key at the token endpoint gets a token
 * bound to it (cnf.jkt, token_type DPoP), after a server nonce; Keyward's API takes that token only
 * as `DPoP` with a fresh proof for this request by that key, and refuses it as Bearer, with another
 * key, for another URL or method, or with a replayed proof; introspection reports the binding; a
 * client or an API set to require DPoP gets or takes nothing unbound.
 */
const issuer = () => getConfig().issuer;

const tokenRequest = dpopTokenRequest;

/** The RFC 9449 §8 round trip, checked: a nonce asked for, then the token. */
async function boundToken(
  client: { clientId: string; clientSecret: string },
  key: DpopKey,
  params: Record<string, string> = {},
) {
  const { first, second, proof } = await dpopNonceDance(client, key, params);
  expect(first.status).toBe(400);
  expect(first.body).toMatchObject({ error: "use_dpop_nonce" });
  expect(first.headers.get("dpop-nonce")).toBeTruthy();
  expect(second.status, JSON.stringify(second.body)).toBe(200);
  return { response: second, proof };
}

const meUrl = () => `${getConfig().publicUrl.origin}/api/v1/me`;

async function callMe(authorization: string, proof?: string) {
  return call(me, { path: "/api/v1/me", headers: { authorization, ...(proof ? { dpop: proof } : {}) } });
}

describe("DPoP-bound client tokens", () => {
  it("binds a client's token to its key after a nonce, and Keyward's API takes it only with a fresh proof by that key", async () => {
    const { principal } = await developerWith(["users.read"]);
    const client = await makeTestClient(principal, ["users.read"]);
    const key = await dpopKey();
    const { response, proof: used } = await boundToken(client, key);
    expect(response.body.token_type).toBe("DPoP");
    expect(response.headers.get("dpop-nonce")).toBeTruthy();
    const accessToken = String(response.body.access_token);
    expect(decodeJwt(accessToken).cnf).toEqual({ jkt: key.jkt });
    // The same proof again at the token endpoint: a replay.
    const replayed = await tokenRequest(client, used);
    expect(replayed.status).toBe(400);
    expect(replayed.body).toMatchObject({ error: "invalid_dpop_proof" });

    const fresh = () => key.proof({ htm: "GET", htu: meUrl(), accessToken });
    const ok = await callMe(`DPoP ${accessToken}`, await fresh());
    expect(ok.status).toBe(200);

    // Copied out of the client's traffic, the token alone is worthless.
    const asBearer = await callMe(`Bearer ${accessToken}`);
    expect(asBearer.status).toBe(401);
    expect(asBearer.headers.get("www-authenticate")).toMatch(/^DPoP algs="[^"]+", error="invalid_token"$/);
    const other = await dpopKey();
    const refusals = [
      await callMe(`DPoP ${accessToken}`),
      await callMe(`DPoP ${accessToken}`, await other.proof({ htm: "GET", htu: meUrl(), accessToken })),
      await callMe(
        `DPoP ${accessToken}`,
        await key.proof({ htm: "GET", htu: `${issuer()}/api/v1/users`, accessToken }),
      ),
      await callMe(`DPoP ${accessToken}`, await key.proof({ htm: "POST", htu: meUrl(), accessToken })),
      await callMe(`DPoP ${accessToken}`, await key.proof({ htm: "GET", htu: meUrl() })),
    ];
    const replay = await fresh();
    expect((await callMe(`DPoP ${accessToken}`, replay)).status).toBe(200);
    refusals.push(await callMe(`DPoP ${accessToken}`, replay));
    for (const refused of refusals) {
      expect(refused.status).toBe(401);
      expect(refused.headers.get("content-type")).toBe("application/problem+json");
      expect(refused.headers.get("www-authenticate")).toMatch(
        /^DPoP algs="[^"]+", error="invalid_dpop_proof"$/,
      );
    }
    // A fresh proof still works: nothing above spent the token.
    expect((await callMe(`DPoP ${accessToken}`, await fresh())).status).toBe(200);
    // With no credential at all, both schemes are offered.
    const none = await call(me, { path: "/api/v1/me" });
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer realm="keyward", DPoP algs="/);
  });

  it("answers hostile Authorization and DPoP headers with a problem, never a 5xx", async () => {
    const key = await dpopKey();
    const proof = await key.proof({ htm: "GET", htu: meUrl() });
    for (const authorization of [
      "DPoP",
      "DPoP ",
      "dpop x",
      "DPoP x y",
      "DPoP a.b.c",
      `DPoP ${"a".repeat(10_000)}`,
      "Bearer x, DPoP y",
      "DPoP\tx",
      "DPoP kw_pat_x",
    ]) {
      for (const dpop of [undefined, "", proof, `${proof}, ${proof}`, "x".repeat(9_000), "a.b.c"]) {
        const response = await call(me, {
          path: "/api/v1/me",
          headers: { authorization, ...(dpop === undefined ? {} : { dpop }) },
        });
        expect([400, 401], `${authorization.slice(0, 20)} / ${String(dpop).slice(0, 20)}`).toContain(
          response.status,
        );
        expect(response.headers.get("content-type")).toBe("application/problem+json");
      }
    }
  });

  it("refuses the DPoP scheme for a token that is not bound, and a personal token", async () => {
    const { principal } = await developerWith(["users.read"]);
    const client = await makeTestClient(principal, ["users.read"]);
    const bearer = await tokenRequest(client, null);
    expect(bearer.body.token_type).toBe("Bearer");
    const accessToken = String(bearer.body.access_token);
    const key = await dpopKey();
    const asDpop = await callMe(
      `DPoP ${accessToken}`,
      await key.proof({ htm: "GET", htu: meUrl(), accessToken }),
    );
    expect(asDpop.status).toBe(401);
    expect(asDpop.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
    expect((await callMe(`Bearer ${accessToken}`)).status).toBe(200);
    const pat = (await mintTestToken(principal, ["users.read"])).token;
    const patAsDpop = await callMe(
      `DPoP ${pat}`,
      await key.proof({ htm: "GET", htu: meUrl(), accessToken: pat }),
    );
    expect(patAsDpop.status).toBe(401);
    expect(patAsDpop.headers.get("www-authenticate")).toMatch(/error="invalid_token"/);
  });

  it("gives a client set to require DPoP no bearer token, and an API set to take only bound tokens none either", async () => {
    const { principal } = await developerWith(["users.read"]);
    const client = await makeTestClient(principal, ["users.read"]);
    await updateClient({
      actor: principal,
      clientId: client.clientId,
      name: "Bound worker",
      description: "",
      scopes: ["users.read"],
      requireDpop: true,
      context: TEST_CONTEXT,
    });
    const refused = await tokenRequest(client, null);
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: "invalid_dpop_proof" });
    expect(String(refused.body.error_description)).toMatch(/must send a DPoP proof/);
    await boundToken(client, await dpopKey());

    // An API that takes only bound tokens: none issued unbound, and introspection says the rest.
    const orders = await makeApi({ permissions: ["orders.read"], requireDpop: true });
    const owner = await developerHolding([orders.permissionIds["orders.read"] ?? ""]);
    const worker = await createClient({
      actor: owner.principal,
      name: "Orders worker",
      description: "",
      scopes: [],
      apiPermissionIds: [orders.permissionIds["orders.read"] ?? ""],
      context: TEST_CONTEXT,
    });
    const unbound = await tokenRequest(worker, null, { resource: orders.identifier });
    expect(unbound.status).toBe(400);
    expect(String(unbound.body.error_description)).toMatch(/accepts only DPoP-bound tokens/);
    const key = await dpopKey();
    const { response } = await boundToken(worker, key, { resource: orders.identifier });
    const rs = await makeResourceServer(orders.id);
    const report = await introspectAs(rs.authorization, String(response.body.access_token));
    expect(report.body).toMatchObject({ active: true, token_type: "DPoP", cnf: { jkt: key.jkt } });
  });
});
