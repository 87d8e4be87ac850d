import type { Metadata } from "next";

import { Badge } from "@/components/ui/badge";
import { CopyField } from "@/components/ui/copy-field";
import { card, PageHeader } from "@/components/ui/page-header";
import type { Operation } from "@/lib/api/operation";
import { V1 } from "@/lib/api/v1-operations";
import { getConfig } from "@/lib/config/env";
import { ERROR_STATUS } from "@/lib/errors/app-error";
import { requirePageUser } from "@/lib/http/page";
import { PROBLEM_TYPE_BASE } from "@/lib/http/problem";
import { can } from "@/lib/policy/authorize";

export const metadata: Metadata = { title: "API reference" };

const METHOD_TONE = { GET: "info", POST: "good", PUT: "warn", PATCH: "warn", DELETE: "bad" } as const;

/** The REST API v1 reference, rendered from the same operations the route handlers use. */
export default async function ApiDocsPage() {
  const principal = await requirePageUser();
  const issuer = getConfig().issuer;
  const operations = Object.values(V1) as Operation[];
  const tags = [...new Set(operations.map((op) => op.tag))];
  return (
    <>
      <PageHeader
        title="API reference"
        description="Everything in Keyward's admin UI is also a REST API, with the same permission checks."
      />
      <div className="flex flex-col gap-6">
        <section aria-labelledby="auth" className={card}>
          <h2 id="auth" className="mb-3 text-lg font-semibold">
            Authenticate
          </h2>
          <div className="flex flex-col gap-4 text-sm">
            <p>
              <strong>As yourself</strong>: mint a personal token under Tokens and send it as a bearer token.
              It can do what its scopes allow and you may do, no more.
            </p>
            <CopyField
              label="Personal token"
              value={`curl -H "Authorization: Bearer kw_pat_…" ${issuer}/api/v1/me`}
            />
            <p>
              <strong>As a service</strong>: register an API client and exchange its ID and secret for a
              short-lived access token (OAuth 2.0 client credentials). Other services can verify these tokens
              with the public keys alone, or ask the introspection endpoint.
            </p>
            <CopyField
              label="Client credentials"
              value={`curl -u 'CLIENT_ID:kw_cs_…' -d grant_type=client_credentials -d 'scope=users.read' ${issuer}/api/oauth/token`}
            />
            <ul className="list-inside list-disc">
              <li>
                OpenAPI 3.1 document:{" "}
                <a
                  className="font-mono text-indigo-700 underline dark:text-indigo-400"
                  href="/api/v1/openapi.json"
                >
                  /api/v1/openapi.json
                </a>
              </li>
              <li>
                Server metadata (RFC 8414):{" "}
                <a
                  className="font-mono text-indigo-700 underline dark:text-indigo-400"
                  href="/.well-known/oauth-authorization-server"
                >
                  /.well-known/oauth-authorization-server
                </a>
              </li>
              <li>
                Public keys (JWKS):{" "}
                <a
                  className="font-mono text-indigo-700 underline dark:text-indigo-400"
                  href="/.well-known/jwks.json"
                >
                  /.well-known/jwks.json
                </a>
              </li>
              <li>
                Introspection (RFC 7662) and revocation (RFC 7009):{" "}
                <span className="font-mono">POST /api/oauth/introspect</span>,{" "}
                <span className="font-mono">POST /api/oauth/revoke</span>, with client authentication.
              </li>
            </ul>
          </div>
        </section>

        {tags.map((tag) => (
          <section key={tag} aria-labelledby={`tag-${tag}`} className={card}>
            <h2 id={`tag-${tag}`} className="mb-3 text-lg font-semibold">
              {tag}
            </h2>
            <ul className="flex flex-col divide-y divide-slate-100 dark:divide-slate-800">
              {operations
                .filter((op) => op.tag === tag)
                .map((op) => (
                  <li
                    key={op.operationId}
                    className="flex flex-wrap items-baseline gap-x-3 gap-y-1 py-2 text-sm"
                  >
                    <Badge tone={METHOD_TONE[op.method]}>{op.method}</Badge>
                    <code className="font-mono text-xs">/api/v1{op.path}</code>
                    <span className="min-w-0 flex-1">{op.summary}</span>
                    <span className="text-xs text-slate-600 dark:text-slate-400">
                      {op.permission === "authenticated" || op.permission === "public" ? (
                        "any caller"
                      ) : (
                        <>
                          needs <code className="font-mono">{op.permission}</code>
                          {can(principal, op.permission) ? " (you have it)" : " (you do not have it)"}
                        </>
                      )}
                    </span>
                  </li>
                ))}
            </ul>
          </section>
        ))}

        <section aria-labelledby="errors" className={card}>
          <h2 id="errors" className="mb-3 text-lg font-semibold">
            Errors
          </h2>
          <p className="mb-3 text-sm">
            Errors are <code className="font-mono">application/problem+json</code> (RFC 9457) with a stable{" "}
            <code className="font-mono">type</code>; invalid input lists each field under{" "}
            <code className="font-mono">errors</code>. The OAuth endpoints answer RFC 6749 errors instead.
          </p>
          <table className="text-left text-sm">
            <caption className="sr-only">Problem types</caption>
            <thead>
              <tr>
                <th scope="col" className="pr-6 pb-1">
                  type
                </th>
                <th scope="col" className="pb-1">
                  status
                </th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(ERROR_STATUS).map(([code, status]) => (
                <tr key={code}>
                  <td className="pr-6 font-mono text-xs">{PROBLEM_TYPE_BASE + code}</td>
                  <td>{status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </>
  );
}
