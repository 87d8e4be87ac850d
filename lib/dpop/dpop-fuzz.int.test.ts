import { randomUUID } from "node:crypto";

import fc from "fast-check";
import { exportJWK, generateKeyPair } from "jose";
import { beforeAll, describe, expect, it } from "vitest";

import { GET as me } from "@/app/api/v1/me/route";
import { getConfig } from "@/lib/config/env";
import { developerWith, makeTestClient } from "@/test/credentials";
import { dpopKey, type DpopKey } from "@/test/dpop";
import { dpopNonceDance, dpopTokenRequest } from "@/test/dpop-token";
import { call } from "@/test/requests";

import { accessTokenHash } from "./proof.ts";

/**
 * Property-based (issue 16 §5): structurally valid DPoP proofs with hostile headers and claims,
 * signed by the token's own key (so that hostile members get past the signature) or not, sent with
 * a genuine bound token to Keyward's API and to the token endpoint. Only a proof right in every
 * member is taken; everything else is a 401 (400 at the token endpoint) naming invalid_dpop_proof,
 * never a 5xx.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 120);

let key: DpopKey;
let accessToken: string;
let client: { clientId: string; clientSecret: string };
let leakedPrivate: Record<string, unknown>;
let other: DpopKey;

beforeAll(async () => {
  const owner = await developerWith(["users.read"]);
  client = await makeTestClient(owner.principal, ["users.read"]);
  key = await dpopKey();
  other = await dpopKey();
  const { second } = await dpopNonceDance(client, key);
  accessToken = String(second.body.access_token);
  leakedPrivate = {
    ...(await exportJWK((await generateKeyPair("ES256", { extractable: true })).privateKey)),
  };
});

const meUrl = () => `${getConfig().publicUrl.origin}/api/v1/me`;

/** Each member of a proof: the right value, or one of the wrong ones an attacker would try. */
const recipe = () =>
  fc.record({
    typ: fc.constantFrom("dpop+jwt", "JWT", "at+jwt", "", undefined, 1),
    alg: fc.constantFrom("ES256", "none", "HS256", "RS256", "es256", undefined),
    jwk: fc.constantFrom("own", "other", "private", "oct", "empty", "string", "absent"),
    htm: fc.constantFrom("GET", "POST", "get", "", 7),
    htu: fc.constantFrom("right", "query", "other-path", "other-host", "javascript", "long", "object"),
    iat: fc.constantFrom("now", "stale", "future", "string", "negative", "huge", "absent"),
    ath: fc.constantFrom("right", "wrong", "absent", "number"),
    jti: fc.constantFrom("fresh", "empty", "number", "long", "absent"),
    extra: fc.constantFrom<Record<string, unknown>>({}, { nonce: 5 }, { nonce: "n" }, { cnf: { jkt: "x" } }),
  });

type Recipe = ReturnType<typeof recipe> extends fc.Arbitrary<infer T> ? T : never;

const GENUINE: Recipe = {
  typ: "dpop+jwt",
  alg: "ES256",
  jwk: "own",
  htm: "GET",
  htu: "query",
  iat: "now",
  ath: "right",
  jti: "fresh",
  extra: {},
};

function genuine(r: Recipe): boolean {
  return (
    r.typ === "dpop+jwt" &&
    r.alg === "ES256" &&
    r.jwk === "own" &&
    r.htm === "GET" &&
    (r.htu === "right" || r.htu === "query") &&
    r.iat === "now" &&
    r.ath === "right" &&
    r.jti === "fresh" &&
    typeof (r.extra.nonce ?? "") === "string"
  );
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

/**
 * The proof a recipe describes: signed by the token's key with jose where its header is one jose
 * signs (alg ES256), otherwise assembled by hand with a signature of the right shape.
 */
async function proofOf(r: Recipe): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwk = {
    own: key.publicJwk,
    other: other.publicJwk,
    private: leakedPrivate,
    oct: { kty: "oct", k: "c2VjcmV0" },
    empty: {},
    string: "jwk",
    absent: undefined,
  }[r.jwk];
  const htu = {
    right: meUrl(),
    query: `${meUrl()}?q=1#f`,
    "other-path": `${getConfig().publicUrl.origin}/api/v1/users`,
    "other-host": "https://evil.example/api/v1/me",
    javascript: "javascript:alert(1)",
    long: `${meUrl()}/${"a".repeat(5000)}`,
    object: { href: meUrl() },
  }[r.htu];
  const iat = {
    now,
    stale: now - 1000,
    future: now + 1000,
    string: String(now),
    negative: -1,
    huge: 1e20,
    absent: undefined,
  }[r.iat];
  const ath = { right: accessTokenHash(accessToken), wrong: "AAAA", absent: undefined, number: 5 }[r.ath];
  const jti = { fresh: randomUUID(), empty: "", number: 42, long: "j".repeat(10_000), absent: undefined }[
    r.jti
  ];
  const claims = { htm: r.htm, htu, iat, jti, ath, ...r.extra };
  const header = { typ: r.typ, alg: r.alg, jwk };
  if (r.alg === "ES256") return key.proof({ htm: "GET", htu: meUrl(), header, claims });
  return `${b64(header)}.${b64(claims)}.${Buffer.alloc(64, 1).toString("base64url")}`;
}

describe("hostile DPoP proofs", () => {
  it("with a bound token at Keyward's API: taken only when right in every member, otherwise 401, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(recipe(), async (r) => {
        const proof = await proofOf(r);
        const response = await call(me, {
          path: "/api/v1/me",
          headers: { authorization: `DPoP ${accessToken}`, dpop: proof },
        });
        expect(response.status).toBeLessThan(500);
        if (genuine(r)) expect(response.status, JSON.stringify(r)).toBe(200);
        else {
          expect(response.status, JSON.stringify(r)).toBe(401);
          expect(response.headers.get("www-authenticate")).toContain('error="invalid_dpop_proof"');
          expect(response.headers.get("content-type")).toBe("application/problem+json");
        }
      }),
      // The one right proof, so that the property also shows a genuine one is taken.
      { numRuns: RUNS, examples: [[GENUINE]] },
    );
  });

  it("at the token endpoint: an OAuth error (RFC 6749 §5.2), never a 5xx nor a token", async () => {
    await fc.assert(
      fc.asyncProperty(recipe(), async (r) => {
        const response = await dpopTokenRequest(client, await proofOf(r));
        // A proof for GET /api/v1/me is never one for POST /api/oauth/token.
        expect(response.status, JSON.stringify(r)).toBe(400);
        expect(["invalid_dpop_proof", "use_dpop_nonce"]).toContain(response.body.error);
      }),
      { numRuns: RUNS },
    );
  });
});
