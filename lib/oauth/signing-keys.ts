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

/** Public keys to publish: the active one and retired ones whose tokens may still be unexpired. */
export async function publishedKeys(): Promise<JWK[]> {
  ensureChangeFeed();
  const keys = await cachedCredential("signing-keys:published", async () => {
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
  const now = Date.now();
  return (keys ?? []).filter((key) => key.until === null || key.until > now).map((key) => key.jwk);
}

/** The public key for a `kid` from our JWKS, or null (unknown or no longer published). */
export async function verificationKey(kid: string): Promise<CryptoKey | null> {
  let jwk = (await publishedKeys()).find((key) => key.kid === kid);
  if (!jwk) {
    // Another instance may have rotated a moment ago and its notice not arrived yet.
    const row = await db.signingKey.findUnique({
      where: { kid },
      select: { publicJwk: true, publishUntil: true },
    });
    if (!row || (row.publishUntil && row.publishUntil.getTime() <= Date.now())) return null;
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
