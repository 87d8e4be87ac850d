import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";

import { POST as introspectRoute } from "@/app/api/oauth/introspect/route";
import { POST as revokeRoute } from "@/app/api/oauth/revoke/route";
import { GET as me } from "@/app/api/v1/me/route";
import { resolveBearer } from "@/lib/auth/resolve-bearer";
import { getConfig } from "@/lib/config/env";
import { credentialsChanged } from "@/lib/credentials/change-feed";
import { encrypt } from "@/lib/crypto/encryption";
import { db } from "@/lib/db/client";
import { AppError } from "@/lib/errors/app-error";
import { basic, clientAccessToken, developerWith, makeTestClient } from "@/test/credentials";
import { signerFor } from "@/test/fuzz-jwt";
import { call } from "@/test/requests";
import { makeResourceServer } from "@/test/resource-servers";

import { accessTokenHeader } from "./jose-header.ts";
import { activeSigningKey, publishedKeys, signingKeyContext, signingKeyReads } from "./signing-keys.ts";
import { verifyAccessToken } from "./verify-access-token.ts";

const b64 = (value: string) => Buffer.from(value).toString("base64url");

let client: { clientId: string; clientSecret: string };
let realToken: string;
let kid: string;
let sign: (signingInput: string) => Promise<string>;

/** A token with exactly this header and payload text, signed by our real key. */
async function signed(header: string, payload: string): Promise<string> {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${await sign(input)}`;
}

function goodClaims(extra: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: getConfig().issuer,
    aud: getConfig().apiAudience,
    sub: client.clientId,
    client_id: client.clientId,
    scope: "users.read",
    jti: `jti_test${Math.random().toString(36).slice(2)}`,
    iat: now,
    exp: now + 600,
    ...extra,
  };
}

/** The bearer answer as a client sees it over the API. */
async function bearerStatus(token: string): Promise<{ status: number; challenge: string | null }> {
  const response = await call(me, { path: "/api/v1/me", bearer: token });
  return { status: response.status, challenge: response.headers.get("www-authenticate") };
}

/** With the change feed up, cached key lists are trusted; before that every call reads. */
async function untilKeyCacheTrusted(): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await publishedKeys();
    const before = signingKeyReads();
    await publishedKeys();
    if (signingKeyReads() === before) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error("the signing-key cache never became trusted");
}

beforeAll(async () => {
  const owner = await developerWith(["users.read"]);
  client = await makeTestClient(owner.principal, ["users.read"]);
  realToken = await clientAccessToken(client.clientId, client.clientSecret);
  const active = await activeSigningKey();
  kid = active.kid;
  sign = signerFor(active.key);
});

// Guarantee: a bearer JWT is refused with 401 invalid_token, whatever its header holds, and its
// header is checked member by member before anything is looked up.
describe("the header of a bearer JWT", () => {
  it("accepts the tokens we issue", async () => {
    expect(accessTokenHeader(realToken)).toEqual({ alg: "ES256", typ: "at+jwt", kid });
    expect((await bearerStatus(realToken)).status).toBe(200);
  });

  it('answers 401 invalid_token, not a 500, when "kid" is not a short string', async () => {
    const claims = JSON.stringify(goodClaims());
    for (const badKid of ["1", "1.5", "true", "null", "{}", '{"kid":"x"}', "[]", `["${"x"}"]`]) {
      const token = await signed(`{"alg":"ES256","typ":"at+jwt","kid":${badKid}}`, claims);
      const answer = await bearerStatus(token);
      expect(answer.status, badKid).toBe(401);
      expect(answer.challenge, badKid).toContain('error="invalid_token"');
      await expect(resolveBearer(`Bearer ${token}`, "203.0.113.7")).rejects.toBeInstanceOf(AppError);
    }
  });

  it("refuses a kid too long or outside the base64url alphabet without looking it up", async () => {
    await untilKeyCacheTrusted();
    const claims = JSON.stringify(goodClaims());
    const before = signingKeyReads();
    for (const badKid of [
      "x".repeat(129),
      "",
      "../../etc/passwd",
      "' OR 1=1 --",
      `${kid}\u0000`,
      "\ud800",
      `${kid} `,
      "é",
    ]) {
      const token = await signed(JSON.stringify({ alg: "ES256", typ: "at+jwt", kid: badKid }), claims);
      expect((await bearerStatus(token)).status, JSON.stringify(badKid)).toBe(401);
    }
    expect(signingKeyReads()).toBe(before);
  });

  it("refuses members that fetch or carry a key, or demand extensions, even when our key signed it", async () => {
    const claims = JSON.stringify(goodClaims());
    // Our own access-token key, embedded: still refused (the JWKS also holds an RS256 key).
    const jwk = (await publishedKeys()).find((key) => key.alg === "ES256");
    for (const extra of [
      { jku: "http://127.0.0.1:1/jwks.json" },
      { x5u: "http://[::1]/cert.pem" },
      { x5c: ["MIIB"] },
      { jwk },
      { crit: ["exp"] },
      { crit: [] },
      { b64: true },
      { enc: "A256GCM" },
      { zip: "DEF" },
      { nested: { a: 1 } },
      { list: [1] },
      { big: "x".repeat(300) },
      { odd: "\ud800" },
      Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`m${i}`, i])),
      { ["n".repeat(33)]: 1 },
    ]) {
      const token = await signed(JSON.stringify({ alg: "ES256", typ: "at+jwt", kid, ...extra }), claims);
      expect((await bearerStatus(token)).status, Object.keys(extra).join()).toBe(401);
    }
    // Small members of no meaning to us are tolerated.
    const tolerated = await signed(
      JSON.stringify({ alg: "ES256", typ: "at+jwt", kid, x5t: "abc", n: 1 }),
      claims,
    );
    expect((await bearerStatus(tolerated)).status).toBe(200);
  });

  it('takes only alg "ES256" and typ "at+jwt" or "application/at+jwt"', async () => {
    const claims = JSON.stringify(goodClaims());
    for (const [alg, typ] of [
      ["none", "at+jwt"],
      ["HS256", "at+jwt"],
      ["es256", "at+jwt"],
      [1, "at+jwt"],
      ["ES256", "JWT"],
      ["ES256", "AT+JWT"],
      ["ES256", undefined],
      ["ES256", 1],
      [undefined, "at+jwt"],
    ]) {
      const token = await signed(JSON.stringify({ alg, typ, kid }), claims);
      expect((await bearerStatus(token)).status, `${String(alg)} ${String(typ)}`).toBe(401);
    }
    const full = await signed(JSON.stringify({ alg: "ES256", typ: "application/at+jwt", kid }), claims);
    expect((await bearerStatus(full)).status).toBe(200);
  });

  it("refuses a header that is not a JSON object of UTF-8 text", async () => {
    const claims = b64(JSON.stringify(goodClaims()));
    for (const header of ["[]", "null", "1", '"x"', "{", "\u00ff\u00fe", ""]) {
      const input = `${b64(header)}.${claims}`;
      expect((await bearerStatus(`${input}.${await sign(input)}`)).status, header).toBe(401);
    }
    const notUtf8 = `${Buffer.from([0x7b, 0xff, 0x7d]).toString("base64url")}.${claims}`;
    expect((await bearerStatus(`${notUtf8}.${await sign(notUtf8)}`)).status).toBe(401);
  });

  it("reads claims by their types: hostile claims signed by our key are refused", async () => {
    const header = JSON.stringify({ alg: "ES256", typ: "at+jwt", kid });
    for (const extra of [
      { exp: String(Math.floor(Date.now() / 1000) + 600) },
      { exp: 1e300 },
      { iat: "now" },
      { jti: { $ne: null } },
      { jti: "j".repeat(65) },
      { client_id: 42 },
      { client_id: [client.clientId] },
      { sub: null },
      { iss: "https://evil.example" },
      { aud: ["junk", 1, null] },
      { aud: Array.from({ length: 11 }, () => getConfig().apiAudience) },
      { scope: ["users.read"] },
    ]) {
      const token = await signed(header, JSON.stringify(goodClaims(extra)));
      expect((await bearerStatus(token)).status, JSON.stringify(extra)).toBe(401);
    }
  });
});

describe("unknown kids", () => {
  it("cost one database read each, then none while the key list is unchanged", async () => {
    await untilKeyCacheTrusted();
    const claims = JSON.stringify(goodClaims());
    const kids = Array.from({ length: 20 }, (_, i) => `unknownkid${i}${Math.random().toString(36).slice(2)}`);
    const tokens = await Promise.all(
      kids.map((unknown) => signed(JSON.stringify({ alg: "ES256", typ: "at+jwt", kid: unknown }), claims)),
    );
    const before = signingKeyReads();
    for (const token of tokens) expect(await verifyAccessToken(token)).toBeNull();
    expect(signingKeyReads() - before).toBe(kids.length);
    const again = signingKeyReads();
    for (let round = 0; round < 5; round++) {
      for (const token of tokens) expect((await bearerStatus(token)).status).toBe(401);
    }
    expect(signingKeyReads()).toBe(again);
    // A different token with the same unknown kid is no new read either.
    const other = await signed(JSON.stringify({ alg: "ES256", typ: "at+jwt", kid: kids[0] }), "{}");
    expect(await verifyAccessToken(other)).toBeNull();
    expect(signingKeyReads()).toBe(again);
  });

  it("are forgotten on a signing-key change, so a new key is found at once", async () => {
    await untilKeyCacheTrusted();
    // A key another instance creates: its kid is seen here before this instance hears of it.
    const pair = await generateKeyPair("ES256", { extractable: true });
    const publicJwk: JWK = await exportJWK(pair.publicKey);
    const newKid = await calculateJwkThumbprint(publicJwk);
    const token = await new SignJWT({ client_id: client.clientId, scope: "users.read" })
      .setProtectedHeader({ alg: "ES256", typ: "at+jwt", kid: newKid })
      .setIssuer(getConfig().issuer)
      .setSubject(client.clientId)
      .setAudience(getConfig().apiAudience)
      .setIssuedAt()
      .setExpirationTime("10m")
      .setJti(`jti_new${Math.random().toString(36).slice(2)}`)
      .sign(pair.privateKey);
    expect(await verifyAccessToken(token)).toBeNull();
    const before = signingKeyReads();
    expect(await verifyAccessToken(token)).toBeNull();
    expect(signingKeyReads()).toBe(before);

    // The key is created the way lib/oauth/signing-keys.ts creates keys: row and change notice.
    await db.$transaction(async (tx) => {
      await tx.signingKey.create({
        data: {
          kid: newKid,
          alg: "ES256",
          publicJwk: { ...publicJwk, kid: newKid, alg: "ES256", use: "sig" },
          privateKeyEnc: encrypt(
            getConfig().encryptionKeys,
            JSON.stringify(await exportJWK(pair.privateKey)),
            signingKeyContext(newKid),
          ),
          createdAt: new Date(),
        },
      });
      await credentialsChanged(tx, ["signing-keys"]);
    });
    expect((await verifyAccessToken(token, { audience: getConfig().apiAudience }))?.usable).toBe(true);
  });
});

describe("introspection and revocation of hostile tokens", () => {
  it("answer inactive and 200, never a 500", async () => {
    const claims = JSON.stringify(goodClaims());
    const tokens = [
      await signed('{"alg":"ES256","typ":"at+jwt","kid":1}', claims),
      await signed(`{"alg":"ES256","typ":"at+jwt","kid":"${kid}","kid":{}}`, claims),
      await signed(JSON.stringify({ alg: "ES256", typ: "at+jwt", kid, jku: "http://127.0.0.1:1/" }), claims),
      `${b64('{"alg":"none","kid":"x"}')}.${b64(claims)}.x`,
    ];
    const headers = {
      authorization: basic(client.clientId, client.clientSecret),
      "content-type": "application/x-www-form-urlencoded",
    };
    const server = await makeResourceServer();
    const rsHeaders = { ...headers, authorization: server.authorization };
    for (const token of tokens) {
      const body = new URLSearchParams({ token }).toString();
      const introspected = await call(introspectRoute, { method: "POST", headers: rsHeaders, body });
      expect(introspected.status).toBe(200);
      expect(introspected.body).toEqual({ active: false });
      const revoked = await call(revokeRoute, { method: "POST", headers, body });
      expect(revoked.status).toBe(200);
    }
  });
});
