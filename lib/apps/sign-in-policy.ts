import { ensureChangeFeed } from "../credentials/change-feed.ts";
import { cachedCredential } from "../credentials/credential-cache.ts";
import { db } from "../db/client.ts";

/** An app as the sign-in steps need it: what the user meets and who may pass. */
export type AppForSignIn = {
  id: string;
  name: string;
  homepageUrl: string | null;
  logoUrl: string | null;
  firstParty: boolean;
  restrictedToRoles: boolean;
  roleNames: string[];
};

export async function appForSignIn(appId: string): Promise<AppForSignIn | null> {
  const app = await db.application.findUnique({
    where: { id: appId },
    select: {
      id: true,
      name: true,
      homepageUrl: true,
      logoUrl: true,
      firstParty: true,
      restrictedToRoles: true,
      disabledAt: true,
      signInRoles: { select: { role: { select: { name: true } } } },
    },
  });
  if (!app || app.disabledAt) return null;
  const { signInRoles, disabledAt: _disabled, ...rest } = app;
  return { ...rest, roleNames: signInRoles.map((entry) => entry.role.name).sort() };
}

/**
 * Whether a user may sign in to an app (issue 15 §1, "who may sign in"): everyone, or only
 * holders of one of its chosen roles. Checked at every authorization and every refresh, so a
 * removed role stops the app at its next request.
 */
export async function userMaySignInTo(appId: string, userId: string): Promise<boolean> {
  ensureChangeFeed();
  // The app's side through the cache (dropped by any change to the app); who holds which role is
  // read each time, so a removed role stops the app at once.
  const app = await cachedCredential(`app-admits:${appId}`, async () => {
    const found = await db.application.findUnique({
      where: { id: appId },
      select: { restrictedToRoles: true, disabledAt: true },
    });
    if (!found) return null;
    const value = { restrictedToRoles: found.restrictedToRoles, disabled: found.disabledAt !== null };
    return { value, tags: [`app:${appId}` as const] };
  });
  if (!app || app.disabled) return false;
  if (!app.restrictedToRoles) return true;
  const held = await db.roleAssignment.findFirst({
    where: { userId, role: { signInApps: { some: { appId } } } },
    select: { roleId: true },
  });
  return held !== null;
}
