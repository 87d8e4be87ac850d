import { db } from "../db/client.ts";

const OIDC_SCOPES: Record<string, string> = {
  openid: "Know who you are (your Keyward account id)",
  profile: "See your name",
  email: "See your email address",
  offline_access: "Stay signed in when you are away (refresh tokens)",
};

/**
 * Scopes in plain words: the OpenID scopes, and each Protected API permission (by the API's
 * identifier) as its API's name and the permission's own description. What a consent prompt asks
 * and what a connected app was allowed read the same.
 */
export async function describeScopes(
  oidcScopes: readonly string[],
  resources: Readonly<Record<string, readonly string[]>> = {},
): Promise<string[]> {
  const lines = oidcScopes.map((scope) => OIDC_SCOPES[scope] ?? `Use the ${scope} scope`);
  for (const [identifier, scopes] of Object.entries(resources)) {
    const api = await db.api.findUnique({
      where: { identifier },
      select: {
        name: true,
        permissions: { where: { name: { in: [...scopes] } }, select: { name: true, description: true } },
      },
    });
    for (const scope of scopes) {
      const permission = api?.permissions.find((entry) => entry.name === scope);
      lines.push(`${api?.name ?? identifier}: ${permission?.description || scope}`);
    }
  }
  return lines;
}

/** What a consent prompt asks (the prompt's missing scopes), in plain words. */
export async function scopeDescriptions(details: Record<string, unknown>): Promise<string[]> {
  return describeScopes(
    (details.missingOIDCScope as string[] | undefined) ?? [],
    (details.missingResourceScopes as Record<string, string[]> | undefined) ?? {},
  );
}
