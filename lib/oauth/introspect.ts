import { getConfig } from "../config/env.ts";
import { ownerMustEnrollMfa } from "../credentials/owner-standing.ts";
import { personalTokenState } from "../tokens/verify-token.ts";
import { verifyAccessToken } from "./verify-access-token.ts";

export type IntrospectionResponse = { active: false } | ({ active: true } & Record<string, unknown>);

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * RFC 7662 §2.2. Active means usable right now: not expired, not revoked, its client or owner still
 * active, its owner not held back by a required second factor they have yet to enroll. `scope` is
 * what the token may do now (narrowed by its owner's current permissions). Any other case answers
 * only `{"active": false}`, whatever the reason. No personal data beyond `sub`.
 */
export async function introspect(token: string): Promise<IntrospectionResponse> {
  if (token.startsWith("kw_pat_")) {
    const state = await personalTokenState(token);
    if (!state || (await ownerMustEnrollMfa(state.userId))) return INACTIVE;
    return {
      active: true,
      token_type: "Bearer",
      scope: state.permissions.join(" "),
      sub: state.userId,
      // Personal tokens carry Keyward's own permissions only, so their audience is its API. No
      // `username`: an API that introspects learns who by `sub`, never the owner's email.
      aud: getConfig().apiAudience,
      iss: getConfig().issuer,
      iat: Math.floor(state.createdAt / 1000),
      ...(state.expiresAt !== null ? { exp: Math.floor(state.expiresAt / 1000) } : {}),
    };
  }
  const state = await verifyAccessToken(token);
  if (!state?.usable || (state.ownerId && (await ownerMustEnrollMfa(state.ownerId)))) return INACTIVE;
  return {
    active: true,
    token_type: "Bearer",
    scope: state.permissions.join(" "),
    client_id: state.clientId,
    sub: state.sub,
    aud: state.aud.length === 1 ? state.aud[0] : state.aud,
    iss: state.iss,
    iat: state.iat,
    exp: state.exp,
    jti: state.jti,
  };
}
