import { getConfig } from "../config/env.ts";
import { decrypt } from "../crypto/encryption.ts";
import { db } from "../db/client.ts";
import { totpSecretContext } from "./enroll-totp.ts";
import { verifyTotp } from "./totp.ts";

/**
 * A code from any of the user's authenticators. The accepted time step is recorded conditionally
 * (only if newer than the last), so a replayed code, even raced in parallel, is refused.
 */
export async function verifyUserTotp(userId: string, code: string): Promise<boolean> {
  const factors = await db.totpFactor.findMany({ where: { userId, activatedAt: { not: null } } });
  for (const factor of factors) {
    const secret = decrypt(getConfig().encryptionKeys, factor.secretEnc, totpSecretContext(factor.id));
    const result = await verifyTotp(secret, code, factor.lastTimeStep);
    if (!result.ok) continue;
    const { count } = await db.totpFactor.updateMany({
      where: { id: factor.id, OR: [{ lastTimeStep: null }, { lastTimeStep: { lt: result.timeStep } }] },
      data: { lastTimeStep: result.timeStep, lastUsedAt: new Date() },
    });
    if (count === 1) return true;
  }
  return false;
}
