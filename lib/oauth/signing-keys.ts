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

/** ECDSA P-256 (RFC 7518 §3.4): the one algorithm every JWT library verifies. */
export const SIGNING_ALG = "ES256";
/** Kept published past the last token a retired key signed, for clocks that run behind. */
const PUBLISH_MARGIN_MS = 5 * 60_000;
const KEY_LOCK = 7_294_017;

type SigningKeyRow = { kid: string; privateKeyEnc: string; createdAt: Date };
export type ActiveSigningKey = { kid: string; key: CryptoKey; createdAt: Date };

/** Associated data binding a private key's ciphertext to its row. */
export const signingKeyContext = (kid: string) => `signing-key:${kid}`;
const aad = signingKeyContext;
const store = globalThis as typeof globalThis & { __keywardKeyObjects?: Map<string, Promise<CryptoKey>> };

function imported(cacheKey: string, make: () => Promise<CryptoKey>): Promise<CryptoKey> {
  const keys = (store.__keywardKeyObjects ??= new Map());
  let key = keys.get(cacheKey);
  if (!key) {
    key = make();
    keys.set(cacheKey, key);
  }
  return key;
}

async function createKey(
  tx: Tx,
  actor: AuditActor,
  context: RequestContext,
  reason: string,
): Promise<SigningKeyRow> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const privateJwk = await exportJWK(privateKey);
  const row = {
    kid,
    alg: SIGNING_ALG,
    publicJwk: { ...publicJwk, kid, alg: SIGNING_ALG, use: "sig" },
    privateKeyEnc: encrypt(getConfig().encryptionKeys, JSON.stringify(privateJwk), aad(kid)),
    createdAt: new Date(),
  };
  await tx.signingKey.create({ data: row });
  await credentialsChanged(tx, ["signing-keys"]);
  await recordAudit(tx, {
    action: "oauth.signing_key_created",
    actor,
    target: { kind: "signing_key", id: kid },
    context,
    details: { alg: SIGNING_ALG, reason },
  });
  return row;
}

/** Retires every current key (published until its last token has expired) and makes a new one. */
async function replaceKeys(
  tx: Tx,
  actor: AuditActor,
  context: RequestContext,
  reason: string,
): Promise<SigningKeyRow> {
  const settings = await getSettings(tx, { fresh: true });
  const now = new Date();
  const publishUntil = new Date(now.getTime() + settings.accessTokenMinutes * 60_000 + PUBLISH_MARGIN_MS);
  await tx.signingKey.updateMany({ where: { retiredAt: null }, data: { retiredAt: now, publishUntil } });
  return createKey(tx, actor, context, reason);
}

const SYSTEM: AuditActor = { kind: "system", display: "keyward" };

async function loadActive(): Promise<SigningKeyRow> {
  const rotationMs = (await getSettings(db)).signingKeyRotationDays * 86_400_000;
  const current = await db.signingKey.findFirst({
    where: { retiredAt: null },
    orderBy: { createdAt: "desc" },
  });
  if (current && Date.now() - current.createdAt.getTime() < rotationMs) return current;
  // First use, or due for its scheduled rotation: one instance does it, under a lock.
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_LOCK})`;
    const again = await tx.signingKey.findFirst({
      where: { retiredAt: null },
      orderBy: { createdAt: "desc" },
    });
    if (again && Date.now() - again.createdAt.getTime() < rotationMs) return again;
    return again
      ? replaceKeys(tx, SYSTEM, SYSTEM_CONTEXT, "scheduled rotation")
      : createKey(tx, SYSTEM, SYSTEM_CONTEXT, "first use");
  });
}

/** The key that signs new access tokens (created on first use, rotated when due). */
export async function activeSigningKey(): Promise<ActiveSigningKey> {
  ensureChangeFeed();
  const row = await cachedCredential("signing-key:active", async () => ({
    value: await loadActive(),
    tags: ["signing-keys"],
  }));
  if (!row) throw new Error("no signing key");
  const rotationMs = (await getSettings(db)).signingKeyRotationDays * 86_400_000;
  const fresh = Date.now() - row.createdAt.getTime() < rotationMs ? row : await loadActive();
  const key = await imported(`private:${fresh.kid}`, async () => {
    const jwk = JSON.parse(decrypt(getConfig().encryptionKeys, fresh.privateKeyEnc, aad(fresh.kid))) as JWK;
    return (await importJWK(jwk, SIGNING_ALG)) as CryptoKey;
  });
  return { kid: fresh.kid, key, createdAt: fresh.createdAt };
}

type PublishedKey = { jwk: JWK; until: number | null };

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
      orderBy: { createdAt: "desc" },
      select: { publicJwk: true, publishUntil: true },
    });
    return {
      value: rows.map((row) => ({ jwk: row.publicJwk as JWK, until: row.publishUntil?.getTime() ?? null })),
      tags: ["signing-keys"],
    };
  });
  return keys ?? [];
}

/** Public keys to publish: the active one and retired ones whose tokens may still be unexpired. */
export async function publishedKeys(): Promise<JWK[]> {
  const now = Date.now();
  return (await publishedKeyList())
    .filter((key) => key.until === null || key.until > now)
    .map((key) => key.jwk);
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
 * The public key for a `kid` from our JWKS, or null (unknown or no longer published). `kid` must
 * already be validated (lib/oauth/jose-header.ts): it reaches the database.
 */
export async function verificationKey(kid: string): Promise<CryptoKey | null> {
  const published = await publishedKeyList();
  const now = Date.now();
  let jwk = published.find((key) => key.jwk.kid === kid && (key.until === null || key.until > now))?.jwk;
  if (!jwk) {
    if (knownUnknown(kid, published, now)) return null;
    // Another instance may have rotated a moment ago and its notice not arrived yet.
    keyReads++;
    const row = await db.signingKey.findUnique({
      where: { kid },
      select: { publicJwk: true, publishUntil: true },
    });
    if (!row || (row.publishUntil && row.publishUntil.getTime() <= Date.now())) {
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
    orderBy: { createdAt: "desc" },
    select: { kid: true, alg: true, createdAt: true, retiredAt: true, publishUntil: true },
  });
}

/**
 * An administrator's rotation (e.g. after a suspected key leak): new tokens are signed with a new
 * key at once; tokens signed with the old one stay valid until they expire, as its public key stays
 * in the JWKS until then.
 */
export async function rotateSigningKey(input: {
  actor: Principal;
  context: RequestContext;
}): Promise<{ kid: string }> {
  authorize(input.actor, "settings.write");
  await assertRecentAuth(input.actor);
  const row = await db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(${KEY_LOCK})`;
    const retiring = await tx.signingKey.findMany({ where: { retiredAt: null }, select: { kid: true } });
    const created = await replaceKeys(tx, auditActor(input.actor), input.context, "administrator");
    await recordAudit(tx, {
      action: "oauth.signing_key_rotated",
      actor: auditActor(input.actor),
      target: { kind: "signing_key", id: created.kid },
      context: input.context,
      details: { retired: retiring.map((key) => key.kid) },
    });
    return created;
  });
  return { kid: row.kid };
}
