import { constantTimeEqual, sha256Hex } from "../crypto/hash.ts";
import { isWellFormedToken } from "../crypto/secret-token.ts";
import { db } from "../db/client.ts";

/**
 * Whether a presented client secret is one of the application's live secrets (two during a rotation
 * overlap): checksum first (no lookup for junk), then the hash, then that it is this very app's, in
 * constant time. The OpenID provider calls it in place of its own comparison (ADR 0012), so what it
 * holds as `client_secret` (the stored hash) never authenticates anyone.
 */
export async function verifyAppSecret(appId: string, presented: string, now = new Date()): Promise<boolean> {
  if (!isWellFormedToken("appSecret", presented)) return false;
  const row = await db.applicationSecret.findUnique({
    where: { hash: sha256Hex(presented) },
    select: { appId: true, expiresAt: true, app: { select: { disabledAt: true } } },
  });
  if (!row || !constantTimeEqual(row.appId, appId)) return false;
  if (row.expiresAt && row.expiresAt <= now) return false;
  return row.app.disabledAt === null;
}
