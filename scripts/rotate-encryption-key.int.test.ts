import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

import { describe, expect, it } from "vitest";

import { writeHeadCheckpoint } from "../lib/audit/head-checkpoints.ts";
import { verifyAuditChain } from "../lib/audit/verify-chain.ts";
import { ciphertextKeyId, decrypt, keyId } from "../lib/crypto/encryption.ts";
import { db } from "../lib/db/client.ts";
import { serverUrl } from "../test/database.ts";
import { startTotpEnrollment, totpSecretContext } from "../lib/mfa/enroll-totp.ts";
import { activeSigningKey, signingKeyContext } from "../lib/oauth/signing-keys.ts";
import { makePrincipal } from "../test/factories.ts";

// Guarantee: after rotate-encryption-key every secret at rest is under the new key and reads back.
// A second process needs a second connection: the in-memory test database serves one, so these
// run against a PostgreSQL server (TEST_DATABASE_URL or DATABASE_URL, as in CI).
describe.skipIf(!serverUrl())("npm run admin -- rotate-encryption-key", () => {
  it("re-encrypts TOTP secrets and signing keys and re-signs the audit checkpoints under the new key, in one audited step", async () => {
    const { principal } = await makePrincipal();
    const enrollment = await startTotpEnrollment({ actor: principal, name: "Phone" });
    const { kid } = await activeSigningKey();
    // A head checkpoint signed under the old key, as recordAudit writes them every N events.
    const signed = await db.$transaction(async (tx) => {
      const head = await tx.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
      await writeHeadCheckpoint(tx, head, "interval");
      return head;
    });
    const oldKey = process.env.KEYWARD_ENCRYPTION_KEY as string;
    const newKey = randomBytes(32).toString("base64");
    const rotations = () => db.auditEvent.count({ where: { action: "settings.encryption_key_rotated" } });
    const before = await rotations();

    const result = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/admin.ts", "rotate-encryption-key"],
      {
        encoding: "utf8",
        env: { ...process.env, KEYWARD_ENCRYPTION_KEY: newKey, KEYWARD_ENCRYPTION_KEYS_PREVIOUS: oldKey },
      },
    );
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(
      /Re-encrypted [1-9]\d* authenticator secret\(s\) and [1-9]\d* signing key\(s\)/,
    );

    const onlyNew = [Buffer.from(newKey, "base64")];
    const factor = await db.totpFactor.findUniqueOrThrow({ where: { id: enrollment.factorId } });
    expect(ciphertextKeyId(factor.secretEnc)).toBe(keyId(Buffer.from(newKey, "base64")));
    expect(decrypt(onlyNew, factor.secretEnc, totpSecretContext(factor.id))).toBe(enrollment.secret);
    const key = await db.signingKey.findUniqueOrThrow({ where: { kid } });
    expect(JSON.parse(decrypt(onlyNew, key.privateKeyEnc, signingKeyContext(kid))).kty).toBe("EC");
    expect(await rotations()).toBe(before + 1);

    // The audit checkpoints are under the new key too, and the head at the rotation is signed:
    // the chain verifies with the new key alone.
    const rotation = await db.auditEvent.findFirstOrThrow({
      where: { action: "settings.encryption_key_rotated" },
      orderBy: { id: "desc" },
    });
    const heads = await db.auditHeadCheckpoint.findMany({ orderBy: { lastId: "asc" } });
    expect(heads.map((head) => [head.lastId, head.reason])).toEqual([
      [signed.id, "interval"],
      [rotation.id, "key_rotation"],
    ]);
    expect(heads.every((head) => head.signature.startsWith(`${keyId(onlyNew[0] as Buffer)}.`))).toBe(true);
    expect(await verifyAuditChain(db, { keyring: onlyNew })).toMatchObject({ ok: true, checkpoints: 2 });
    // ...and no longer with the old key alone.
    expect((await verifyAuditChain(db)).ok).toBe(false);

    // And back, so that this file's other tests find every secret under this process's key.
    const back = spawnSync(
      process.execPath,
      ["--import", "tsx", "scripts/admin.ts", "rotate-encryption-key"],
      {
        encoding: "utf8",
        env: { ...process.env, KEYWARD_ENCRYPTION_KEY: oldKey, KEYWARD_ENCRYPTION_KEYS_PREVIOUS: newKey },
      },
    );
    expect(back.status).toBe(0);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, checkpoints: 3 });
  }, 60_000);

  it("with generated keys, makes a new one in the data folder and drops the old one there", async () => {
    const { principal } = await makePrincipal();
    const enrollment = await startTotpEnrollment({ actor: principal, name: "Phone" });
    const oldKey = process.env.KEYWARD_ENCRYPTION_KEY as string;
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "keyward-rotate-"));
    const file = path.join(dataDir, "secrets.json");
    fs.writeFileSync(
      file,
      JSON.stringify({ KEYWARD_SECRET: process.env.KEYWARD_SECRET, KEYWARD_ENCRYPTION_KEY: oldKey }),
    );
    try {
      const result = spawnSync(
        process.execPath,
        ["--import", "tsx", "scripts/admin.ts", "rotate-encryption-key"],
        {
          encoding: "utf8",
          env: { ...process.env, KEYWARD_ENCRYPTION_KEY: "", KEYWARD_SECRET: "", KEYWARD_DATA_DIR: dataDir },
        },
      );
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      const stored = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
      expect(stored.KEYWARD_ENCRYPTION_KEY).not.toBe(oldKey);
      expect(stored.KEYWARD_ENCRYPTION_KEYS_PREVIOUS).toBeUndefined();
      const factor = await db.totpFactor.findUniqueOrThrow({ where: { id: enrollment.factorId } });
      const newKeyring = [Buffer.from(stored.KEYWARD_ENCRYPTION_KEY as string, "base64")];
      expect(decrypt(newKeyring, factor.secretEnc, totpSecretContext(factor.id))).toBe(enrollment.secret);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
