import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";

import { POST as introspectRoute } from "@/app/api/oauth/introspect/route";
import { POST as revokeRoute } from "@/app/api/oauth/revoke/route";
import { GET as me } from "@/app/api/v1/me/route";
import { GET as users } from "@/app/api/v1/users/route";
import { basic, developerWith, makeTestClient } from "@/test/credentials";
import {
  buildJwt,
  hostileJwtRecipe,
  installationTargets,
  type JwtTargets,
  mayBeAccepted,
} from "@/test/fuzz-jwt";
import { call } from "@/test/requests";
import { makeResourceServer } from "@/test/resource-servers";

import { publishedKeys } from "./signing-keys.ts";

/**
 * Property-based, in process (no browser build): structurally valid JWTs with hostile headers and
 * claims, some signed by our real key so that hostile claims get past the signature, sent as
 * bearer credentials to API routes and as `token` to introspection and revocation.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);

let targets: JwtTargets;
let oauthHeaders: Record<string, string>;
let introspectionHeaders: Record<string, string>;

beforeAll(async () => {
  const owner = await developerWith(["users.read"]);
  const client = await makeTestClient(owner.principal, ["users.read"]);
  targets = await installationTargets(publishedKeys, client.clientId);
  oauthHeaders = {
    authorization: basic(client.clientId, client.clientSecret),
    "content-type": "application/x-www-form-urlencoded",
  };
  const server = await makeResourceServer();
  introspectionHeaders = { ...oauthHeaders, authorization: server.authorization };
});

describe("hostile JWTs, in process", () => {
  it("as a bearer credential: 401 invalid_token (or, for a genuine token, an answer), never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(hostileJwtRecipe(targets), fc.boolean(), async (recipe, listUsers) => {
        const token = await buildJwt(recipe, targets);
        const response = listUsers
          ? await call(users, { path: "/api/v1/users", bearer: token })
          : await call(me, { path: "/api/v1/me", bearer: token });
        expect(response.status).toBeLessThan(500);
        if (response.status === 401) {
          expect(response.headers.get("www-authenticate")).toContain('error="invalid_token"');
          expect(response.headers.get("content-type")).toBe("application/problem+json");
        } else {
          expect(
            mayBeAccepted(recipe, token, targets),
            `${response.status}: ${recipe.header} ${recipe.payload}`,
          ).toBe(true);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it("as the token to introspect: inactive (or, for a genuine token, active), never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(hostileJwtRecipe(targets), async (recipe) => {
        const token = await buildJwt(recipe, targets);
        const body = new URLSearchParams({ token }).toString();
        const response = await call(introspectRoute, {
          method: "POST",
          headers: introspectionHeaders,
          body,
        });
        expect(response.status).toBe(200);
        if (response.body.active !== false) expect(mayBeAccepted(recipe, token, targets)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it("as the token to revoke: 200 whatever the token (RFC 7009), never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(hostileJwtRecipe(targets), async (recipe) => {
        const token = await buildJwt(recipe, targets);
        const body = new URLSearchParams({ token }).toString();
        const response = await call(revokeRoute, { method: "POST", headers: oauthHeaders, body });
        // A token our key signed for another client_id is not this client's to revoke.
        if (response.status === 400 && recipe.signature === "ours")
          expect(response.body.error).toBe("unauthorized_client");
        else expect(response.status).toBe(200);
      }),
      { numRuns: RUNS },
    );
  });
});
