import {
  calculateJwkThumbprint,
  compactVerify,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  SignJWT,
} from "jose";
import Provider from "oidc-provider";
import { describe, expect, it } from "vitest";

import { GET as jwksRoute } from "@/app/api/oauth/jwks/route";
import { getConfig } from "@/lib/config/env";
import { clearCredentialCache } from "@/lib/credentials/credential-cache";
import { encrypt } from "@/lib/crypto/encryption";
import { db } from "@/lib/db/client";
import { makePrincipal, present, TEST_CONTEXT } from "@/test/factories";

import {
  activeSigningKey,
  ID_TOKEN_ALG,
  PROVIDER_TOKEN_MAX_SECONDS,
  providerSigningKeys,
  publishedKeys,
  rotateSigningKey,
  SIGNING_ALG,
  signingKeyContext,
  signingKeyReads,
  verificationKey,
} from "./signing-keys.ts";
import { verifyAccessToken } from "./verify-access-token.ts";

const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi"];

/** The active kid of each algorithm, after checking that there is exactly one of each. */
async function activeKids(): Promise<{ RS256: string; ES256: string }> {
  const rows = await db.signingKey.findMany({ where: { retiredAt: null }, select: { kid: true, alg: true } });
  expect(rows.map((row) => row.alg).sort()).toEqual(["ES256", "RS256"]);
  const of = (alg: string) => present(rows.find((row) => row.alg === alg)).kid;
  return { RS256: of("RS256"), ES256: of("ES256") };
}

/** Audit events' targets and details, in a stable order (by alg). */
const createdEvents = (events: { targetId: string | null; details: unknown }[]) =>
  events
    .map((event) => ({ target: event.targetId, details: event.details as { alg: string; reason: string } }))
    .sort((a, b) => a.details.alg.localeCompare(b.details.alg));

async function auditSince(id: bigint, action: string) {
  return db.auditEvent.findMany({ where: { action, id: { gt: id } }, orderBy: { id: "asc" } });
}

async function lastAuditId(): Promise<bigint> {
  return (await db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0n;
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

/** An access token as Keyward's are, but signed by `key` under `alg` and naming `kid`. */
async function accessTokenSignedBy(key: CryptoKey, alg: string, kid: string): Promise<string> {
  return new SignJWT({ client_id: "cl_nobody", scope: "users.read" })
    .setProtectedHeader({ alg, typ: "at+jwt", kid })
    .setIssuer(getConfig().issuer)
    .setSubject("cl_nobody")
    .setAudience(getConfig().apiAudience)
    .setIssuedAt()
    .setExpirationTime("10m")
    .setJti(`jti_${Math.random().toString(36).slice(2)}`)
    .sign(key);
}

/** oidc-provider's keystore of a provider built with these keys (an internal the tests read). */
async function providerKeystore(keys: JWK[]) {
  const provider = new Provider("http://localhost:3000", {
    jwks: { keys },
    enabledJWA: { idTokenSigningAlgValues: ["RS256", "ES256"] },
    // Never used here: only so that the library does not warn of its development defaults.
    adapter: class {} as never,
    features: { devInteractions: { enabled: false } },
  });
  const weakCache = "oidc-provider/lib/helpers/weak_cache.js";
  const { default: instance } = (await import(weakCache)) as {
    default: (provider: Provider) => {
      keystore: {
        selectForSign(options: { alg: string }): JWK[];
        selectForVerify(options: { alg: string; kid: string }): JWK[];
      };
    };
  };
  return instance(provider).keystore;
}

// Guarantee: there is always one active key of each algorithm, RS256 for ID tokens and ES256 for
// access tokens, made together, published together and rotated together; only ES256 keys ever
// verify an access token.
describe("signing keys", () => {
  let first: { RS256: string; ES256: string };

  it("are made on first use, one RS256 and one ES256, each audited, once even under concurrent first uses", async () => {
    expect(await db.signingKey.count()).toBe(0);
    const since = await lastAuditId();
    const [active, provider] = await Promise.all([
      activeSigningKey(),
      providerSigningKeys(),
      activeSigningKey(),
    ]);
    first = await activeKids();
    expect(await db.signingKey.count()).toBe(2);
    expect(active.kid).toBe(first.ES256);
    expect(provider.keys.map((key) => key.kid)).toEqual([first.RS256, first.ES256]);

    const created = await auditSince(since, "oauth.signing_key_created");
    expect(createdEvents(created)).toEqual([
      { target: first.ES256, details: { alg: "ES256", reason: "first use" } },
      { target: first.RS256, details: { alg: "RS256", reason: "first use" } },
    ]);
  });

  it("are published together in the JWKS, each with its alg, use sig and RFC 7638 kid, and nothing private", async () => {
    const response = await jwksRoute();
    const { keys } = (await response.json()) as { keys: JWK[] };
    expect(keys).toEqual(await publishedKeys());
    expect(keys).toHaveLength(2);
    const byAlg = Object.fromEntries(keys.map((key) => [key.alg, key]));
    expect(byAlg.RS256).toMatchObject({ kty: "RSA", use: "sig", kid: first.RS256, e: "AQAB" });
    expect(byAlg.ES256).toMatchObject({ kty: "EC", crv: "P-256", use: "sig", kid: first.ES256 });
    // 2048-bit modulus: 256 bytes, 342 base64url characters.
    expect(byAlg.RS256?.n).toHaveLength(342);
    for (const key of keys) {
      const { kid, alg: _alg, use: _use, ...bare } = key;
      expect(await calculateJwkThumbprint(bare)).toBe(kid);
      for (const member of PRIVATE_MEMBERS) expect(key, member).not.toHaveProperty(member);
    }
  });

  it("verify access tokens only with ES256 keys: an RSA kid is refused, listed or not", async () => {
    expect(await verificationKey(first.ES256)).not.toBeNull();
    expect(await verificationKey(first.RS256)).toBeNull();

    // Even a token our own RSA key really signed is no access token.
    const rsa = present((await providerSigningKeys()).keys[0]);
    const rsaKey = (await importJWK(rsa, "RS256")) as CryptoKey;
    expect(await verifyAccessToken(await accessTokenSignedBy(rsaKey, "RS256", first.RS256))).toBeNull();

    // An RSA key this instance has not heard of yet (another instance's, its notice not arrived):
    // the database row says RS256, so it is refused, and remembered as unusable.
    await untilKeyCacheTrusted();
    const pair = await generateKeyPair("RS256", { extractable: true, modulusLength: 2048 });
    const publicJwk = await exportJWK(pair.publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    await db.signingKey.create({
      data: {
        kid,
        alg: "RS256",
        publicJwk: { ...publicJwk, kid, alg: "RS256", use: "sig" },
        privateKeyEnc: encrypt(
          getConfig().encryptionKeys,
          JSON.stringify(await exportJWK(pair.privateKey)),
          signingKeyContext(kid),
        ),
        // Retired at once, so it is never an active key of this test's database.
        retiredAt: new Date(),
        publishUntil: new Date(Date.now() + 3_600_000),
      },
    });
    const before = signingKeyReads();
    expect(await verificationKey(kid)).toBeNull();
    expect(signingKeyReads()).toBe(before + 1);
    expect(await verificationKey(kid)).toBeNull();
    expect(signingKeyReads()).toBe(before + 1);
    await db.signingKey.delete({ where: { kid } });
    clearCredentialCache();
  });

  it("give the OpenID provider private JWKs, RS256 first, under a version that changes only with the keys", async () => {
    const { keys, version } = await providerSigningKeys();
    expect(keys.map((key) => [key.kid, key.alg, key.use, key.kty])).toEqual([
      [first.RS256, "RS256", "sig", "RSA"],
      [first.ES256, "ES256", "sig", "EC"],
    ]);
    for (const key of keys) {
      expect(key.d, key.alg).toEqual(expect.any(String));
      expect(key.key_ops, key.alg).toBeUndefined();
    }
    for (const member of PRIVATE_MEMBERS) expect(keys[0]).toHaveProperty(member);

    // What they sign verifies with what the JWKS publishes.
    const published = await publishedKeys();
    for (const key of keys) {
      const alg = String(key.alg);
      const jws = await new SignJWT({ sub: "x" })
        .setProtectedHeader({ alg, kid: key.kid })
        .sign(await importJWK(key, alg));
      const publicJwk = published.find((candidate) => candidate.kid === key.kid);
      await compactVerify(jws, await importJWK(present(publicJwk), alg));
    }

    // Unchanged keys, unchanged version: also after the caches are dropped and everything reloaded.
    expect((await providerSigningKeys()).version).toBe(version);
    clearCredentialCache();
    expect((await providerSigningKeys()).version).toBe(version);
    await activeSigningKey();
    expect((await providerSigningKeys()).version).toBe(version);
  });

  it("rotate together when an administrator asks: both retired and published on, both made anew, audited", async () => {
    const before = await providerSigningKeys();
    const since = await lastAuditId();
    const { principal: admin } = await makePrincipal(["admin"]);
    const rotated = await rotateSigningKey({ actor: admin, context: TEST_CONTEXT });

    const next = await activeKids();
    expect(rotated).toEqual({ kid: next.ES256, kids: next });
    expect(next.ES256).not.toBe(first.ES256);
    expect(next.RS256).not.toBe(first.RS256);
    expect((await activeSigningKey()).kid).toBe(next.ES256);

    const retired = await db.signingKey.findMany({ where: { kid: { in: [first.ES256, first.RS256] } } });
    expect(retired).toHaveLength(2);
    for (const key of retired) {
      expect(key.retiredAt).not.toBeNull();
      // Published on for the longest token either signs (an ID token's hour), not only access tokens'.
      expect(present(key.publishUntil).getTime()).toBeGreaterThanOrEqual(
        Date.now() + PROVIDER_TOKEN_MAX_SECONDS * 1000,
      );
    }

    const [rotation] = await auditSince(since, "oauth.signing_key_rotated");
    expect(rotation?.targetId).toBe(next.ES256);
    const details = rotation?.details as { retired: string[]; created: string[] };
    expect([...details.retired].sort()).toEqual([first.ES256, first.RS256].sort());
    expect(details.created).toEqual([next.RS256, next.ES256]);
    expect(createdEvents(await auditSince(since, "oauth.signing_key_created"))).toEqual([
      { target: next.ES256, details: { alg: "ES256", reason: "administrator" } },
      { target: next.RS256, details: { alg: "RS256", reason: "administrator" } },
    ]);

    // The JWKS has all four; old access tokens still verify, the new RSA key still does not.
    const published = await publishedKeys();
    expect(published.map((key) => key.kid).sort()).toEqual(
      [first.ES256, first.RS256, next.ES256, next.RS256].sort(),
    );
    expect(await verificationKey(first.ES256)).not.toBeNull();
    expect(await verificationKey(next.ES256)).not.toBeNull();
    expect(await verificationKey(next.RS256)).toBeNull();
    expect(await verificationKey(first.RS256)).toBeNull();

    // The provider signs with the new keys and only verifies with the retired ones.
    const after = await providerSigningKeys();
    expect(after.version).not.toBe(before.version);
    expect(after.keys.map((key) => [key.kid, key.alg, key.key_ops])).toEqual([
      [next.RS256, "RS256", undefined],
      [next.ES256, "ES256", undefined],
      [first.RS256, "RS256", ["verify"]],
      [first.ES256, "ES256", ["verify"]],
    ]);
    for (const key of after.keys) expect(key.d).toEqual(expect.any(String));
    expect((await providerSigningKeys()).version).toBe(after.version);

    // oidc-provider takes them as the comment on providerSigningKeys says: signs with the active
    // key of each algorithm, never a retired one, and still verifies with a retired one.
    const keystore = await providerKeystore(after.keys);
    expect(keystore.selectForSign({ alg: "RS256" }).map((key) => key.kid)).toEqual([next.RS256]);
    expect(keystore.selectForSign({ alg: "ES256" }).map((key) => key.kid)).toEqual([next.ES256]);
    expect(keystore.selectForVerify({ alg: "RS256", kid: first.RS256 })).toHaveLength(1);
    expect(keystore.selectForVerify({ alg: "ES256", kid: first.ES256 })).toHaveLength(1);
  });

  it("rotate together on schedule, when one of them is due", async () => {
    const old = await activeKids();
    // The ES256 key alone is past the rotation period (90 days by default).
    await db.signingKey.update({
      where: { kid: old.ES256 },
      data: { createdAt: new Date(Date.now() - 91 * 86_400_000) },
    });
    clearCredentialCache();
    const since = await lastAuditId();
    const { kid } = await activeSigningKey();
    const next = await activeKids();
    expect(kid).toBe(next.ES256);
    expect(next.ES256).not.toBe(old.ES256);
    expect(next.RS256).not.toBe(old.RS256);
    expect(
      await db.signingKey.count({ where: { kid: { in: [old.ES256, old.RS256] }, retiredAt: { not: null } } }),
    ).toBe(2);
    expect(createdEvents(await auditSince(since, "oauth.signing_key_created"))).toEqual([
      { target: next.ES256, details: { alg: "ES256", reason: "scheduled rotation" } },
      { target: next.RS256, details: { alg: "RS256", reason: "scheduled rotation" } },
    ]);
    expect((await providerSigningKeys()).keys.slice(0, 2).map((key) => key.kid)).toEqual([
      next.RS256,
      next.ES256,
    ]);
  });

  it("gain an RS256 key on a database that has only an ES256 one, which keeps signing", async () => {
    await db.signingKey.deleteMany();
    // A key made as Keyward made them before RS256: ES256, the only one.
    const pair = await generateKeyPair(SIGNING_ALG, { extractable: true });
    const publicJwk = await exportJWK(pair.publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    await db.signingKey.create({
      data: {
        kid,
        alg: SIGNING_ALG,
        publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: "sig" },
        privateKeyEnc: encrypt(
          getConfig().encryptionKeys,
          JSON.stringify(await exportJWK(pair.privateKey)),
          signingKeyContext(kid),
        ),
        createdAt: new Date(Date.now() - 86_400_000),
      },
    });
    clearCredentialCache();
    const since = await lastAuditId();

    expect((await activeSigningKey()).kid).toBe(kid);
    const active = await activeKids();
    expect(active.ES256).toBe(kid);
    expect(await db.signingKey.count()).toBe(2);
    expect(await db.signingKey.count({ where: { retiredAt: { not: null } } })).toBe(0);
    const created = await auditSince(since, "oauth.signing_key_created");
    expect(created.map((event) => [event.targetId, event.details])).toEqual([
      [active.RS256, { alg: ID_TOKEN_ALG, reason: "first use" }],
    ]);
    expect(await auditSince(since, "oauth.signing_key_rotated")).toEqual([]);

    const { keys } = await providerSigningKeys();
    expect(keys.map((key) => [key.kid, key.alg])).toEqual([
      [active.RS256, "RS256"],
      [kid, "ES256"],
    ]);
    // What the ES256 key signs still verifies with the key verificationKey gives for it.
    const token = await accessTokenSignedBy((await activeSigningKey()).key, SIGNING_ALG, kid);
    await compactVerify(token, present(await verificationKey(kid)));
  });
});
