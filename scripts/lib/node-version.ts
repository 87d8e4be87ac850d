/**
 * The Node.js releases Keyward runs on: 24 LTS, and 22 from 22.18 (the first 22 that strips TypeScript
 * types by default, which scripts/server.js needs to load the OpenID provider from lib/, ADR 0012). Node 20 reached end of life on
 * 2026-04-30 and gets no security fixes, which an identity provider cannot accept. npm only warns
 * about `engines`, so the start-up commands check it themselves and say what to do.
 */
export function unsupportedNodeMessage(version = process.versions.node): string | null {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  if (major > 22 || (major === 22 && minor >= 18)) return null;
  return (
    `[keyward] Node.js ${version} is not supported: install Node.js 24 LTS (or 22.18 or later). ` +
    `Node.js 20 and older get no security fixes.`
  );
}
