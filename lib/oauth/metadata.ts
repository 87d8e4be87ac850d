import { getConfig } from "../config/env.ts";
import { PERMISSIONS } from "../policy/permissions.ts";

const AUTH_METHODS = ["client_secret_basic", "client_secret_post"];

/**
 * Keyward's own part of the RFC 8414 authorization server metadata. The document itself is the
 * OpenID provider's discovery (served at both well-known URLs), into which lib/oidc/discovery.ts
 * merges these fields: introspection, revocation, client credentials and the Protected APIs' scopes.
 */
export function serverMetadata(): Record<string, unknown> {
  const issuer = getConfig().issuer;
  return {
    issuer,
    token_endpoint: `${issuer}/api/oauth/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    introspection_endpoint: `${issuer}/api/oauth/introspect`,
    revocation_endpoint: `${issuer}/api/oauth/revoke`,
    grant_types_supported: ["client_credentials"],
    // The provider's document says `code`; without it (the integration tests' Next routes) none.
    response_types_supported: [],
    scopes_supported: [...PERMISSIONS],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    // Public apps (single-page, native) revoke what they were issued by client_id alone (RFC 7009 §2.1).
    revocation_endpoint_auth_methods_supported: [...AUTH_METHODS, "none"],
    service_documentation: `${issuer}/api-docs`,
  };
}
