import { constantTimeEqual, sha256Hex } from "../crypto/hash.ts";
import { isWellFormedToken } from "../crypto/secret-token.ts";
import { ensureChangeFeed } from "../credentials/change-feed.ts";
import { cachedCredential } from "../credentials/credential-cache.ts";
import { db } from "../db/client.ts";

/**
 * Whether a presented client secret is one of the application's live secrets (two during a rotation
 * overlap): checksum first (no lookup for junk), then the hash, then that it is this very app's, in
 * constant time. The OpenID provider calls it in place of its own comparison (ADR 0012), so what it
 * holds as `client_secret` (the stored hash) never authenticates anyone.
 */
export async function verifyAppSecret(appId: string, presented: string, now = new Date()): Promise<boolean> {
  if (!isWellFormedToken("appSecret", presented)) return false;
  ensureChangeFeed();
  const hash = sha256Hex(presented);
  // Cached like API clients' secrets: rotating, ending an overlap, disabling or deleting the app
  // drops it on every instance (the change feed's `app:` tag).
  const row = await cachedCredential(`app-secret:${hash}`, async () => {
    const found = await db.applicationSecret.findUnique({
      where: { hash },
      select: { appId: true, expiresAt: true, app: { select: { disabledAt: true } } },
    });
    if (!found) return null;
    const value = {
      appId: found.appId,
      expiresAt: found.expiresAt?.getTime() ?? null,
      disabled: found.app.disabledAt !== null,
    };
    return { value, tags: [`app:${found.appId}` as const] };
  });
  if (!row || !constantTimeEqual(row.appId, appId)) return false;
  if (row.expiresAt !== null && row.expiresAt <= now.getTime()) return false;
  return !row.disabled;
}
