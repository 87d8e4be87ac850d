import { getConfig } from "../config/env.ts";
import { PERMISSIONS } from "../policy/permissions.ts";

const AUTH_METHODS = ["client_secret_basic", "client_secret_post"];

/** RFC 8414 authorization server metadata: what a client library needs to find everything else. */
export function serverMetadata(): Record<string, unknown> {
  const issuer = getConfig().issuer;
  return {
    issuer,
    token_endpoint: `${issuer}/api/oauth/token`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    introspection_endpoint: `${issuer}/api/oauth/introspect`,
    revocation_endpoint: `${issuer}/api/oauth/revoke`,
    grant_types_supported: ["client_credentials"],
    // No authorization endpoint: Keyward issues tokens to clients only (RFC 8414 §2 still asks for the field).
    response_types_supported: [],
    scopes_supported: [...PERMISSIONS],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: AUTH_METHODS,
    service_documentation: `${issuer}/api-docs`,
  };
}
