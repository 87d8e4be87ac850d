// @ts-check
/** @type {import('next').NextConfig} */
const nextConfig = {
  // Keyward runs as a Node server; these packages load native code, WebAssembly or data files at run time.
  serverExternalPackages: ["@node-rs/argon2", "@prisma/client", "pg", "fxa-common-password-list"],
  poweredByHeader: false,
  // `npm test` type-checks the whole project (tsc --noEmit); `npm start` need not repeat it.
  typescript: { ignoreBuildErrors: true },
  typedRoutes: false,
  // forbidden() renders app/forbidden.tsx with a 403 status.
  // Server actions take small forms: refuse bodies beyond this before parsing (the default is 1 MB).
  experimental: { authInterrupts: true, serverActions: { bodySizeLimit: "128kb" } },
  // The well-known addresses of RFC 8414 and RFC 7517, served by ordinary route handlers.
  async rewrites() {
    return [
      { source: "/.well-known/jwks.json", destination: "/api/oauth/jwks" },
      { source: "/.well-known/oauth-authorization-server", destination: "/api/oauth/metadata" },
    ];
  },
};

export default nextConfig;
