import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";

import type { AuditActor } from "../audit/actions.ts";
import { auditActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { Principal, RequestContext } from "../auth/principal.ts";
import { SYSTEM_CONTEXT } from "../auth/principal.ts";
import { assertRecentAuth } from "../auth/step-up.ts";
import { getConfig } from "../config/env.ts";
import { credentialsChanged, ensureChangeFeed } from "../credentials/change-feed.ts";
import { cachedCredential } from "../credentials/credential-cache.ts";
import { decrypt, encrypt } from "../crypto/encryption.ts";
import { db, type Tx } from "../db/client.ts";
import { authorize } from "../policy/authorize.ts";
import { getSettings } from "../settings/settings.ts";

/**
 * The algorithm of Keyward's own access tokens: ECDSA P-256 (RFC 7518 §3.4), which every JWT
 * library verifies. Only keys of this algorithm ever verify an access token (`verificationKey`).
 */
export const SIGNING_ALG = "ES256";
/**
 * The OpenID provider's default for ID tokens: OpenID Connect Discovery 1.0 §3 requires RS256 to be
 * supported, so an RSA key is kept beside the P-256 one (ADR 0012, "ID tokens and keys").
 */
export const ID_TOKEN_ALG = "RS256";
/** One active key of each, always: in this order, the order the OpenID provider is given them. */
const ALGS = [ID_TOKEN_ALG, SIGNING_ALG] as const;
export type SigningKeyAlg = (typeof ALGS)[number];
const isKeyAlg = (alg: string): alg is SigningKeyAlg => (ALGS as readonly string[]).includes(alg);
/**
 * 2048-bit RSA: NIST SP 800-57 rates it at 112-bit strength, acceptable through 2030, and what it
 * signs needs to stay unforgeable for an hour (an ID token) under a key replaced every rotation
 * period (90 days by default), not for years. 3072 bits would buy strength nothing here needs at
 * about 2.5× the cost of every ID-token signature (≈2.9 ms against ≈1.1 ms, measured with jose on
 * Node 24) and of key generation, which runs under the rotation lock.
 */
const RSA_MODULUS_BITS = 2048;
/**
 * The longest lifetime of a token the OpenID provider signs with these keys (its ID tokens: an
 * hour; its access tokens are shorter). A retired key stays published at least this long, as for
 * Keyward's own access tokens, so no relying party finds an unexpired ID token's key gone.
 * lib/oidc/provider.ts's `ttl.IdToken` must not exceed it.
 */
export const PROVIDER_TOKEN_MAX_SECONDS = 3600;
/** Kept published past the last token a retired key signed, for clocks that run behind. */
const PUBLISH_MARGIN_MS = 5 * 60_000;
const KEY_LOCK = 7_294_017;

type SigningKeyRow = { kid: string; alg: SigningKeyAlg; privateKeyEnc: string; createdAt: Date };
/** The active key of each algorithm. */
type ActiveKeys = Record<SigningKeyAlg, SigningKeyRow>;
export type ActiveSigningKey = { kid: string; key: CryptoKey; createdAt: Date };

/** Associated data binding a private key's ciphertext to its row. */
export const signingKeyContext = (kid: string) => `signing-key:${kid}`;
const aad = signingKeyContext;
const store = globalThis as typeof globalThis & {
  __keywardKeyObjects?: Map<string, Promise<CryptoKey>>;
  /** Decrypted private JWKs by kid (frozen), for the OpenID provider. */
  __keywardPrivateJwks?: Map<string, JWK>;
  __keywardProviderKeys?: { keys: JWK[]; version: string };
};

function imported(cacheKey: string, make: () => Promise<CryptoKey>): Promise<CryptoKey> {
  const keys = (store.__keywardKeyObjects ??= new Map());
  let key = keys.get(cacheKey);
  if (!key) {
    key = make();
    keys.set(cacheKey, key);
  }
  return key;
}

/** The private JWK of a key, decrypted once per process. */
function privateJwk(row: { kid: string; privateKeyEnc: string }): JWK {
  const jwks = (store.__keywardPrivateJwks ??= new Map());
  let jwk = jwks.get(row.kid);
  if (!jwk) {
    jwk = Object.freeze(
      JSON.parse(decrypt(getConfig().encryptionKeys, row.privateKeyEnc, aad(row.kid))) as JWK,
    );
    jwks.set(row.kid, jwk);
  }
  return jwk;
}

/** Makes a key of each of `algs` (one instant for all, so they fall due together), audited each. */
async function createKeys(
  tx: Tx,
  algs: readonly SigningKeyAlg[],
  actor: AuditActor,
  context: RequestContext,
  reason: string,
): Promise<Partial<ActiveKeys>> {
  const createdAt = new Date();
  const created: Partial<ActiveKeys> = {};
  for (const alg of algs) {
    const { publicKey, privateKey } = await generateKeyPair(alg, {
      extractable: true,
      ...(alg === ID_TOKEN_ALG ? { modulusLength: RSA_MODULUS_BITS } : {}),
    });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    const row = {
      kid,
      alg,
      publicJwk: { ...publicJwk, kid, alg, use: "sig" },
      privateKeyEnc: encrypt(getConfig().encryptionKeys, JSON.stringify(privateJwk), aad(kid)),
      createdAt,
    };
    await tx.signingKey.create({ data: row });
    await recordAudit(tx, {
      action: "oauth.signing_key_created",
      actor,
      target: { kind: "signing_key", id: kid },
      context,
      details: { alg, reason },
    });
    created[alg] = row;
  }
  await credentialsChanged(tx, ["signing-keys"]);
  return created;
}

function complete(keys: Partial<ActiveKeys>): keys is ActiveKeys {
  return ALGS.every((alg) => keys[alg] !== undefined);
}

/**
 * Retires every current key (published until the last token it signed has expired) and makes a new
 * one of each algorithm.
 */
async function replaceKeys(
  tx: Tx,
  actor: AuditActor,
  context: RequestContext,
  reason: string,
): Promise<ActiveKeys> {
  const settings = await getSettings(tx, { fresh: true });
  const now = new Date();
  const longestMs = Math.max(settings.accessTokenMinutes * 60_000, PROVIDER_TOKEN_MAX_SECONDS * 1000);
  const publishUntil = new Date(now.getTime() + longestMs + PUBLISH_MARGIN_MS);
  await tx.signingKey.updateMany({ where: { retiredAt: null }, data: { retiredAt: now, publishUntil } });
  const created = await createKeys(tx, ALGS, actor, context, reason);
  if (!complete(created)) throw new Error("a signing key was not created");
  return created;
}

const SYSTEM: AuditActor = { kind: "system", display: "keyward" };

/** The newest unretired key of each algorithm (a database from before RS256 has only ES256). */
async function readActive(client: Pick<Tx, "signingKey">): Promise<Partial<ActiveKeys>> {
  const rows = await client.signingKey.findMany({
    where: { retiredAt: null },
    orderBy: { createdAt: "desc" },
    select: { kid: true, alg: true, privateKeyEnc: true, createdAt: true },
  });
  const active: Partial<ActiveKeys> = {};
  for (const row of rows) {
    const { alg } = row;
    if (isKeyAlg(alg)) active[alg] ??= { ...row, alg };
  }
  return active;
}

/** Whether any active key is due for its scheduled rotation (which replaces both). */
function due(keys: Partial<ActiveKeys>, rotationMs: number): boolean {
  const now = Date.now();
  return ALGS.some((alg) => {
    const key = keys[alg];
    return key !== undefined && now - key.createdAt.getTime() >= rotationMs;
  });
}

async function loadActive(): Promise<ActiveKeys> {
  const rotationMs = (await getSettings(db)).signingKeyRotationDays * 86_400_000;
  const current = await readActive(db);
  if (complete(current) && !due(current, rotationMs)) return current;
  // First use, a key missing, or due for the scheduled rotation: one instance does it, under a lock.
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_LOCK})`;
    const again = await readActive(tx);
    if (due(again, rotationMs)) return replaceKeys(tx, SYSTEM, SYSTEM_CONTEXT, "scheduled rotation");
    // Only the missing algorithms: a database from before RS256 keeps its ES256 key as it is.
    const missing = ALGS.filter((alg) => again[alg] === undefined);
    const keys = missing.length
      ? { ...again, ...(await createKeys(tx, missing, SYSTEM, SYSTEM_CONTEXT, "first use")) }
      : again;
    if (!complete(keys)) throw new Error("a signing key was not created");
    return keys;
  });
}

/** The active key of each algorithm (created on first use, rotated when due). */
async function activeKeys(): Promise<ActiveKeys> {
  ensureChangeFeed();
  const keys = await cachedCredential("signing-keys:active", async () => ({
    value: await loadActive(),
    tags: ["signing-keys"],
  }));
  if (!keys) throw new Error("no signing key");
  const rotationMs = (await getSettings(db)).signingKeyRotationDays * 86_400_000;
  return due(keys, rotationMs) ? loadActive() : keys;
}

/** The ES256 key that signs new access tokens (created on first use, rotated when due). */
export async function activeSigningKey(): Promise<ActiveSigningKey> {
  const active = (await activeKeys())[SIGNING_ALG];
  const key = await imported(
    `private:${active.kid}`,
    async () => (await importJWK(privateJwk(active), SIGNING_ALG)) as CryptoKey,
  );
  return { kid: active.kid, key, createdAt: active.createdAt };
}

type PublishedKey = {
  kid: string;
  alg: string;
  jwk: JWK;
  until: number | null;
  /** The private key's ciphertext: the OpenID provider still verifies with a retired key. */
  privateKeyEnc: string;
};

/**
 * The cached list of published keys. The same array comes back until a signing-key change (here or,
 * through the change feed, on another instance) drops it: its identity tells the unknown-kid cache
 * below whether the keys may have changed since it last looked.
 */
async function publishedKeyList(): Promise<readonly PublishedKey[]> {
  ensureChangeFeed();
  const keys = await cachedCredential("signing-keys:published", async () => {
    keyReads++;
    const rows = await db.signingKey.findMany({
      where: { OR: [{ publishUntil: null }, { publishUntil: { gt: new Date() } }] },
      // Newest first; a pair made together lists RS256 before ES256.
      orderBy: [{ createdAt: "desc" }, { alg: "desc" }],
      select: { kid: true, alg: true, publicJwk: true, publishUntil: true, privateKeyEnc: true },
    });
    return {
      value: rows.map((row) => ({
        kid: row.kid,
        alg: row.alg,
        jwk: row.publicJwk as JWK,
        until: row.publishUntil?.getTime() ?? null,
        privateKeyEnc: row.privateKeyEnc,
      })),
      tags: ["signing-keys"],
    };
  });
  return keys ?? [];
}

const live = (key: PublishedKey, now: number) => key.until === null || key.until > now;

/**
 * Public keys to publish: the active one of each algorithm (RS256 and ES256, each JWK with `kid`,
 * `alg` and `use: "sig"`) and retired ones whose tokens may still be unexpired.
 */
export async function publishedKeys(): Promise<JWK[]> {
  const now = Date.now();
  return (await publishedKeyList()).filter((key) => live(key, now)).map((key) => key.jwk);
}

/**
 * The private JWKs the OpenID provider is built with: the active RS256 key first (ID tokens default
 * to it), then the active ES256 key, both with `kid`, `alg` and `use: "sig"`; then every retired key
 * still published, with `key_ops: ["verify"]`. oidc-provider's keystore (lib/helpers/keystore.js)
 * skips a key whose `key_ops` lacks "sign" when it picks one to sign with and keeps it when it picks
 * one to verify with, so an `id_token_hint` signed by a retired key is still accepted and a retired
 * key never signs; it wants the private members of every key it is given, hence private JWKs.
 *
 * `version` is a string naming the keys in order: equal strings, the same keys. The caller rebuilds
 * the provider when it changes (a rotation, a first use, a retired key's publication ending), not
 * otherwise. Decryption happens once per key and process; an unchanged set returns the same object.
 */
export async function providerSigningKeys(): Promise<{ keys: JWK[]; version: unknown }> {
  const active = await activeKeys();
  const activeKids = new Set(ALGS.map((alg) => active[alg].kid));
  const now = Date.now();
  const retired = (await publishedKeyList()).filter(
    (key) => live(key, now) && isKeyAlg(key.alg) && !activeKids.has(key.kid),
  );
  const version = [
    ...ALGS.map((alg) => `${alg}:${active[alg].kid}`),
    ...retired.map((key) => `verify:${key.kid}`),
  ].join(" ");
  const cached = store.__keywardProviderKeys;
  if (cached?.version === version) return cached;
  const sign = (row: { kid: string; alg: string; privateKeyEnc: string }): JWK => ({
    ...privateJwk(row),
    kid: row.kid,
    alg: row.alg,
    use: "sig",
  });
  const keys = [
    ...ALGS.map((alg) => sign(active[alg])),
    ...retired.map((key) => ({ ...sign(key), key_ops: ["verify"] })),
  ];
  // Keys no longer in the set need not stay decrypted in memory.
  const inUse = new Set([...activeKids, ...retired.map((key) => key.kid)]);
  for (const kid of store.__keywardPrivateJwks?.keys() ?? []) {
    if (!inUse.has(kid)) store.__keywardPrivateJwks?.delete(kid);
  }
  const result = { keys: keys.map((key) => Object.freeze(key)), version };
  store.__keywardProviderKeys = result;
  return result;
}

/**
 * `kid`s the database did not know, so that a flood of made-up ones costs one read each at most,
 * not one per request. Bounded (the oldest go first) and short-lived; and valid only for the key
 * list it was checked against: any signing-key change (creation, rotation, on any instance) yields
 * a new list and so empties it, so a newly rotated key is always found.
 */
const UNKNOWN_KID_TTL_MS = 60_000;
const UNKNOWN_KID_MAX = 1_000;
const unknownKids = globalThis as typeof globalThis & {
  __keywardUnknownKids?: { basis: unknown; until: Map<string, number> };
};

function knownUnknown(kid: string, basis: unknown, now: number): boolean {
  const cache = unknownKids.__keywardUnknownKids;
  if (!cache || cache.basis !== basis) return false;
  const until = cache.until.get(kid);
  if (until === undefined) return false;
  if (until > now) return true;
  cache.until.delete(kid);
  return false;
}

function rememberUnknown(kid: string, basis: unknown, now: number): void {
  let cache = unknownKids.__keywardUnknownKids;
  if (!cache || cache.basis !== basis) {
    cache = { basis, until: new Map() };
    unknownKids.__keywardUnknownKids = cache;
  }
  cache.until.delete(kid);
  cache.until.set(kid, now + UNKNOWN_KID_TTL_MS);
  if (cache.until.size > UNKNOWN_KID_MAX) {
    const oldest = cache.until.keys().next().value;
    if (oldest !== undefined) cache.until.delete(oldest);
  }
}

/** Database reads of signing keys by this process: tests prove what costs none. */
let keyReads = 0;
export const signingKeyReads = (): number => keyReads;

/**
 * The public key for a `kid` from our JWKS, or null (unknown, no longer published, or not an ES256
 * key: the RSA keys sign ID tokens, never Keyward's access tokens, so an access token naming one is
 * refused). `kid` must already be validated (lib/oauth/jose-header.ts): it reaches the database.
 */
export async function verificationKey(kid: string): Promise<CryptoKey | null> {
  const published = await publishedKeyList();
  const now = Date.now();
  const listed = published.find((key) => key.kid === kid && live(key, now));
  let jwk: JWK;
  if (listed) {
    if (listed.alg !== SIGNING_ALG) return null;
    jwk = listed.jwk;
  } else {
    if (knownUnknown(kid, published, now)) return null;
    // Another instance may have rotated a moment ago and its notice not arrived yet.
    keyReads++;
    const row = await db.signingKey.findUnique({
      where: { kid },
      select: { alg: true, publicJwk: true, publishUntil: true },
    });
    if (!row || row.alg !== SIGNING_ALG || (row.publishUntil && row.publishUntil.getTime() <= Date.now())) {
      rememberUnknown(kid, published, now);
      return null;
    }
    jwk = row.publicJwk as JWK;
  }
  const found = jwk;
  return imported(`public:${kid}`, async () => (await importJWK(found, SIGNING_ALG)) as CryptoKey);
}

export type SigningKeyView = {
  kid: string;
  alg: string;
  createdAt: Date;
  retiredAt: Date | null;
  publishUntil: Date | null;
};

export async function listSigningKeys(actor: Principal): Promise<SigningKeyView[]> {
  authorize(actor, "settings.write");
  return db.signingKey.findMany({
    where: { OR: [{ publishUntil: null }, { publishUntil: { gt: new Date() } }] },
    orderBy: [{ createdAt: "desc" }, { alg: "desc" }],
    select: { kid: true, alg: true, createdAt: true, retiredAt: true, publishUntil: true },
  });
}

/**
 * An administrator's rotation (e.g. after a suspected key leak): both keys (RS256 and ES256) are
 * replaced, and new tokens signed with the new ones at once; tokens signed with the old ones stay
 * valid until they expire, as their public keys stay in the JWKS until then. Answers the new
 * access-token (ES256) key's kid, and both new kids.
 */
export async function rotateSigningKey(input: {
  actor: Principal;
  context: RequestContext;
}): Promise<{ kid: string; kids: Record<SigningKeyAlg, string> }> {
  authorize(input.actor, "settings.write");
  await assertRecentAuth(input.actor);
  const created = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_LOCK})`;
    const retiring = await tx.signingKey.findMany({ where: { retiredAt: null }, select: { kid: true } });
    const keys = await replaceKeys(tx, auditActor(input.actor), input.context, "administrator");
    await recordAudit(tx, {
      action: "oauth.signing_key_rotated",
      actor: auditActor(input.actor),
      target: { kind: "signing_key", id: keys[SIGNING_ALG].kid },
      context: input.context,
      details: { retired: retiring.map((key) => key.kid), created: ALGS.map((alg) => keys[alg].kid) },
    });
    return keys;
  });
  return {
    kid: created[SIGNING_ALG].kid,
    kids: { [ID_TOKEN_ALG]: created[ID_TOKEN_ALG].kid, [SIGNING_ALG]: created[SIGNING_ALG].kid },
  };
}
