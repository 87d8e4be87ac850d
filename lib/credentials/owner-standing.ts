import { db } from "../db/client.ts";
import { hasSecondFactor } from "../mfa/factors.ts";
import { OAuthError } from "../oauth/oauth-error.ts";
import { getSettings } from "../settings/settings.ts";
import { invalidateCredentials } from "./credential-cache.ts";
import { ownerState } from "./owner-state.ts";

/**
 * Required MFA binds an owner's credentials as it binds their sessions: while a role of theirs (or
 * the global setting) requires a second factor and they have none, their personal tokens and API
 * clients, minted earlier, do nothing (a user who must enroll is restricted to enrolling, whatever
 * door they use). Enrolling lifts it on the next request.
 *
 * Costs nothing on the warm path: the owner's roles and factors are cached with the owner (tag
 * `user:<id>`, and `*` for role edits), the global setting is read through its own short cache.
 * Only a refusal reads the database: the cached "no factor" is checked again there, so that an
 * enrollment takes effect at once on every instance even before its change reaches the cache.
 */
export async function ownerMustEnrollMfa(ownerId: string): Promise<boolean> {
  const owner = await ownerState(ownerId);
  if (!owner || owner.hasFactor) return false;
  const required = owner.roleRequiresMfa || (await getSettings(db)).mfaRequiredForAll;
  if (!required) return false;
  if (await hasSecondFactor(db, ownerId)) {
    // The cached owner predates the enrollment: forget it here, so the next request reads it afresh.
    invalidateCredentials([`user:${ownerId}`]);
    return false;
  }
  return true;
}

/**
 * For the token endpoint (RFC 6749 §5.2): a client whose owner must enroll a second factor gets
 * no access token until they have.
 */
export async function assertOwnerMayIssueTokens(ownerId: string | null): Promise<void> {
  if (ownerId && (await ownerMustEnrollMfa(ownerId))) {
    throw new OAuthError(
      "unauthorized_client",
      "This client's owner must set up a second factor (their roles require one) before it can get tokens.",
    );
  }
}
