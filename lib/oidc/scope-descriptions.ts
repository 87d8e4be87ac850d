import { db } from "../db/client.ts";

const OIDC_SCOPES: Record<string, string> = {
  openid: "Know who you are (your Keyward account id)",
  profile: "See your name",
  email: "See your email address",
  offline_access: "Stay signed in when you are away (refresh tokens)",
};

/**
 * What a consent prompt asks, in plain words: the OpenID scopes, and each Protected API permission
 * by its API's name and the permission's own description.
 */
export async function scopeDescriptions(details: Record<string, unknown>): Promise<string[]> {
  const oidc = ((details.missingOIDCScope as string[] | undefined) ?? []).map(
    (scope) => OIDC_SCOPES[scope] ?? `Use the ${scope} scope`,
  );
  const resources = (details.missingResourceScopes as Record<string, string[]> | undefined) ?? {};
  const lines = [...oidc];
  for (const [identifier, scopes] of Object.entries(resources)) {
    const api = await db.api.findUnique({
      where: { identifier },
      select: {
        name: true,
        permissions: { where: { name: { in: scopes } }, select: { name: true, description: true } },
      },
    });
    for (const scope of scopes) {
      const permission = api?.permissions.find((entry) => entry.name === scope);
      lines.push(`${api?.name ?? identifier}: ${permission?.description || scope}`);
    }
  }
  return lines;
}
