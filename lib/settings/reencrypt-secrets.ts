import type { AuditActor } from "../audit/actions.ts";
import { checkpointSignatureValid, signCheckpoint } from "../audit/checkpoint-signature.ts";
import { recordAudit } from "../audit/record-audit.ts";
import type { RequestContext } from "../auth/principal.ts";
import { db } from "../db/client.ts";
import { totpSecretContext } from "../mfa/enroll-totp.ts";
import { signingKeyContext } from "../oauth/signing-keys.ts";
import { ciphertextKeyId, decrypt, encrypt, keyId, type Keyring } from "../crypto/encryption.ts";

/**
 * Re-encrypts every secret at rest (TOTP secrets, signing keys) that is not under the keyring's
 * current key, in one transaction with its audit event: afterwards the older keys can be dropped.
 * Every value must still be readable with some key of the keyring, or nothing changes.
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
    // Retention checkpoints are signed with the key too: sign them again under the new one.
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
    await recordAudit(tx, {
      action: "settings.encryption_key_rotated",
      actor: input.actor,
      target: { kind: "encryption_key", id: currentId },
      context: input.context,
      details: { reencrypted: { totp, signingKeys } },
    });
    return { totp, signingKeys };
  });
}
