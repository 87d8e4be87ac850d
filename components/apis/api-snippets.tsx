import { CodeBlock } from "./code-block";

/** Where a resource server finds Keyward: the issuer and its endpoints (lib/oauth/metadata.ts). */
export type SnippetEndpoints = {
  issuer: string;
  tokenEndpoint: string;
  jwksUri: string;
  introspectionEndpoint: string;
};

/** Shell-safe single quoting for values shown in the curl lines. */
const sq = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;
/** A JavaScript string literal for the Node snippet. */
const js = (value: string) => JSON.stringify(value);

export function tokenSnippet(endpoints: SnippetEndpoints, identifier: string, scopes: string[]): string {
  const scope = scopes.length > 0 ? scopes.join(" ") : "your.permission";
  return [
    "# Client credentials (RFC 6749 §4.4), for this API only (RFC 8707 resource).",
    "# CLIENT_ID and CLIENT_SECRET: an API client allowed this API's permissions.",
    'curl -u "$CLIENT_ID:$CLIENT_SECRET" \\',
    "  -d grant_type=client_credentials \\",
    `  --data-urlencode resource=${sq(identifier)} \\`,
    `  --data-urlencode scope=${sq(scope)} \\`,
    `  ${sq(endpoints.tokenEndpoint)}`,
  ].join("\n");
}

export function verifySnippet(endpoints: SnippetEndpoints, identifier: string, scope: string): string {
  return [
    'import { createRemoteJWKSet, jwtVerify } from "jose";',
    "",
    "// Keyward's signing keys, fetched once and cached; a new key is fetched when a token names it.",
    `const JWKS = createRemoteJWKSet(new URL(${js(endpoints.jwksUri)}));`,
    "",
    "/** The verified claims of a bearer token for this API, or a thrown error (answer 401). */",
    "export async function verifyAccessToken(token) {",
    "  const { payload } = await jwtVerify(token, JWKS, {",
    `    issuer: ${js(endpoints.issuer)},`,
    `    audience: ${js(identifier)},`,
    '    typ: "at+jwt",',
    "  });",
    "  return payload;",
    "}",
    "",
    "/** Your API enforces its own permissions: answer 403 when the token lacks the one a route needs. */",
    "export function hasScope(payload, needed) {",
    '  return String(payload.scope ?? "").split(" ").includes(needed);',
    "}",
    `// e.g. if (!hasScope(payload, ${js(scope)})) return res.status(403).end();`,
  ].join("\n");
}

export function introspectionSnippet(endpoints: SnippetEndpoints, identifier: string): string {
  return [
    "# Token introspection (RFC 7662), from any language: for personal tokens (kw_pat_…) and",
    "# to learn at once that a token was revoked. RS_ID and RS_SECRET: a resource-server",
    `# credential of this API. The answer is "active": true only for a token usable at`,
    `# ${identifier}, and its "scope" lists this API's permissions only.`,
    'curl -u "$RS_ID:$RS_SECRET" \\',
    '  --data-urlencode "token=$TOKEN" \\',
    `  ${sq(endpoints.introspectionEndpoint)}`,
  ].join("\n");
}

/**
 * "Use this API": copy-paste snippets for one API — getting a token, verifying it in Node with
 * jose, and introspection for every other language. Pure: everything it shows comes in as props.
 */
export function ApiSnippets({
  endpoints,
  identifier,
  scopes,
}: {
  endpoints: SnippetEndpoints;
  identifier: string;
  /** The API's permission names (not deprecated), for the examples' `scope`. */
  scopes: string[];
}) {
  const example = scopes.slice(0, 2);
  return (
    <div className="flex flex-col gap-5">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Tokens for this API carry <code className="font-mono text-xs">aud</code> ={" "}
        <code className="font-mono text-xs break-all">{identifier}</code> and only its permissions in{" "}
        <code className="font-mono text-xs">scope</code>. Your API verifies them itself.
      </p>
      <CodeBlock label="Get a token (curl)" code={tokenSnippet(endpoints, identifier, example)} />
      <CodeBlock
        label="Verify a token in Node.js (jose)"
        code={verifySnippet(endpoints, identifier, example[0] ?? "your.permission")}
      />
      <CodeBlock
        label="Introspect a token (curl, any language)"
        code={introspectionSnippet(endpoints, identifier)}
      />
    </div>
  );
}
