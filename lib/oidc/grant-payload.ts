/**
 * The provider's Grant payload, as far as Keyward reads it (oidc-provider's lib/models/grant.js):
 * what a user allowed an app, by OpenID scope and claim and by Protected API, less what was rejected.
 */
export type GrantPayload = {
  openid?: { scope?: string; claims?: string[] };
  resources?: Record<string, string>;
  rejected?: { openid?: { scope?: string; claims?: string[] }; resources?: Record<string, string> };
};

export type Granted = { oidc: string[]; claims: string[]; resources: Record<string, string[]> };

const words = (scope: string | undefined) => (scope ?? "").split(" ").filter(Boolean);

/** What one grant holds, less anything rejected (Keyward rejects nothing today; the library may). */
export function granted(payload: GrantPayload): Granted {
  const rejectedOidc = new Set(words(payload.rejected?.openid?.scope).filter((scope) => scope !== "openid"));
  const oidc = words(payload.openid?.scope).filter((scope) => !rejectedOidc.has(scope));
  const rejectedClaims = new Set(payload.rejected?.openid?.claims ?? []);
  const claims = (payload.openid?.claims ?? []).filter((claim) => !rejectedClaims.has(claim));
  const resources: Record<string, string[]> = {};
  for (const [identifier, scope] of Object.entries(payload.resources ?? {})) {
    const rejected = new Set(words(payload.rejected?.resources?.[identifier]));
    const kept = words(scope).filter((entry) => !rejected.has(entry));
    if (kept.length > 0) resources[identifier] = kept;
  }
  return { oidc, claims, resources };
}

/** Several grants' holdings as one (a user's grants for one app, from several browsers). */
export function mergeGranted(all: readonly Granted[]): Granted {
  const oidc = new Set<string>();
  const claims = new Set<string>();
  const resources = new Map<string, Set<string>>();
  for (const one of all) {
    one.oidc.forEach((scope) => oidc.add(scope));
    one.claims.forEach((claim) => claims.add(claim));
    for (const [identifier, scopes] of Object.entries(one.resources)) {
      const set = resources.get(identifier) ?? new Set<string>();
      scopes.forEach((scope) => set.add(scope));
      resources.set(identifier, set);
    }
  }
  return {
    oidc: [...oidc],
    claims: [...claims],
    resources: Object.fromEntries([...resources].map(([identifier, set]) => [identifier, [...set]])),
  };
}
