import type { AuditActor } from "../audit/actions.ts";
import { checkpointSignatureValid, signCheckpoint } from "../audit/checkpoint-signature.ts";
import { headKind, writeHeadCheckpoint } from "../audit/head-checkpoints.ts";
import { lockAuditChain } from "../audit/chain-lock.ts";
import { appendAuditEvent } from "../audit/record-audit.ts";
import type { RequestContext } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { totpSecretContext } from "../mfa/enroll-totp.ts";
import { signingKeyContext } from "../oauth/signing-keys.ts";
import { ciphertextKeyId, decrypt, encrypt, keyId, type Keyring } from "../crypto/encryption.ts";

/**
 * Re-encrypts every secret at rest (TOTP secrets, signing keys) that is not under the keyring's
 * current key, in one transaction with its audit event: afterwards the older keys can be dropped.
 * Every value must still be readable with some key of the keyring, or nothing changes. The audit
 * checkpoints are signed again under the new key, and the chain's head at the rotation is signed.
 */
export async function reencryptSecrets(input: {
  keyring: Keyring;
  actor: AuditActor;
  context: RequestContext;
}): Promise<{ totp: number; signingKeys: number }> {
  const current = input.keyring[0];
  if (!current) throw new Error("no encryption key");
  const currentId = keyId(current);
  const rewrap = (value: string, context: string) =>
    ciphertextKeyId(value) === currentId
      ? null
      : encrypt(input.keyring, decrypt(input.keyring, value, context), context);
  return db.$transaction(async (tx) => {
    let totp = 0;
    for (const factor of await tx.totpFactor.findMany({ select: { id: true, secretEnc: true } })) {
      const value = rewrap(factor.secretEnc, totpSecretContext(factor.id));
      if (!value) continue;
      await tx.totpFactor.update({ where: { id: factor.id }, data: { secretEnc: value } });
      totp++;
    }
    let signingKeys = 0;
    for (const key of await tx.signingKey.findMany({ select: { kid: true, privateKeyEnc: true } })) {
      const value = rewrap(key.privateKeyEnc, signingKeyContext(key.kid));
      if (!value) continue;
      await tx.signingKey.update({ where: { kid: key.kid }, data: { privateKeyEnc: value } });
      signingKeys++;
    }
    // Checkpoints are signed with the key too: sign them again under the new one, each only if its
    // old signature holds (re-signing a forged one would launder it). Under the chain's lock, so
    // that no checkpoint is written meanwhile under the old key.
    await lockAuditChain(tx);
    for (const checkpoint of await tx.auditCheckpoint.findMany()) {
      if (checkpoint.signature.startsWith(`${currentId}.`)) continue;
      if (
        !checkpointSignatureValid(input.keyring, checkpoint.lastId, checkpoint.lastHash, checkpoint.signature)
      ) {
        throw new Error(`audit checkpoint ${checkpoint.id} has an invalid signature: not re-signing it`);
      }
      await tx.auditCheckpoint.update({
        where: { id: checkpoint.id },
        data: { signature: signCheckpoint(input.keyring, checkpoint.lastId, checkpoint.lastHash) },
      });
    }
    let checkpoints = 0;
    for (const head of await tx.auditHeadCheckpoint.findMany()) {
      if (head.signature.startsWith(`${currentId}.`)) continue;
      const kind = headKind(head.reason);
      if (!checkpointSignatureValid(input.keyring, head.lastId, head.lastHash, head.signature, kind)) {
        throw new Error(
          `the audit head checkpoint at event ${head.lastId.toString()} has an invalid signature: not re-signing it (run npm run audit:verify)`,
        );
      }
      await tx.auditHeadCheckpoint.update({
        where: { lastId: head.lastId },
        data: { signature: signCheckpoint(input.keyring, head.lastId, head.lastHash, kind) },
      });
      checkpoints++;
    }
    const rotated = await appendAuditEvent(tx, {
      action: "settings.encryption_key_rotated",
      actor: input.actor,
      target: { kind: "encryption_key", id: currentId },
      context: input.context,
      details: { reencrypted: { totp, signingKeys }, resignedCheckpoints: checkpoints },
    });
    // The chain as it stands at the rotation, signed under the new key.
    await writeHeadCheckpoint(tx, rotated, "key_rotation", input.keyring);
    return { totp, signingKeys };
  });
}
