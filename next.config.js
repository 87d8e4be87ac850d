// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // Keyward runs as a Node server; these packages load native code, WebAssembly or data files at run
  // time, or (oidc-provider) must be the one module scripts/server.js loaded, not a bundled copy.
  serverExternalPackages: [
    "@node-rs/argon2",
    "@prisma/client",
    "pg",
    "fxa-common-password-list",
    "oidc-provider",
  ],
  poweredByHeader: false,
  // `npm test` type-checks the whole project (tsc --noEmit); `npm start` need not repeat it.
  typescript: { ignoreBuildErrors: true },
  typedRoutes: false,
  // forbidden() renders app/forbidden.tsx with a 403 status.
  // Server actions take small forms: refuse bodies beyond this before parsing (the default is 1 MB).
  experimental: { authInterrupts: true, serverActions: { bodySizeLimit: "128kb" } },
  // The JWKS at its well-known address (RFC 8414 and OpenID Discovery are the OpenID provider's, in
  // scripts/server.js).
  async rewrites() {
    return [{ source: "/.well-known/jwks.json", destination: "/api/oauth/jwks" }];
  },
};

export default nextConfig;
