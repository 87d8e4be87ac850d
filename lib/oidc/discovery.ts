type Metadata = Record<string, unknown>;

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const union = (a: unknown, b: unknown) => [...new Set([...list(a), ...list(b)])];

/**
 * One discovery document (ADR 0012): the provider's OpenID Connect Discovery metadata with
 * Keyward's RFC 8414 fields (introspection, revocation, client credentials, Keyward's own scopes)
 * merged in, so `/.well-known/openid-configuration` and `/.well-known/oauth-authorization-server`
 * say the same. `response_modes_supported` is `query` alone: the library always registers
 * `form_post`, which Keyward's CSP (`form-action 'self'`) would block, and a pre-middleware refuses.
 */
export function mergedDiscovery(provider: Metadata, keyward: Metadata): Metadata {
  return {
    ...provider,
    introspection_endpoint: keyward.introspection_endpoint,
    introspection_endpoint_auth_methods_supported: keyward.introspection_endpoint_auth_methods_supported,
    revocation_endpoint: keyward.revocation_endpoint,
    revocation_endpoint_auth_methods_supported: keyward.revocation_endpoint_auth_methods_supported,
    service_documentation: keyward.service_documentation,
    grant_types_supported: union(provider.grant_types_supported, keyward.grant_types_supported),
    scopes_supported: union(provider.scopes_supported, keyward.scopes_supported),
    token_endpoint_auth_methods_supported: union(
      provider.token_endpoint_auth_methods_supported,
      keyward.token_endpoint_auth_methods_supported,
    ),
    response_modes_supported: ["query"],
  };
}
