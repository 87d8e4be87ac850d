import Link from "next/link";

import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import { formatDate } from "@/components/ui/format";
import { card, secondaryLinkButton } from "@/components/ui/page-header";
import type { ApiCredentialView } from "@/lib/apis/api-inventory";

const muted = "text-slate-600 dark:text-slate-400";

/**
 * The API inventory's credential list for an API's page: every live personal token and every API
 * client holding one of its permissions, which of them, and its last use at this API, never-used
 * and longest-idle first. Paged by `?held=<cursor>` on the page's own URL.
 */
export function ApiCredentialsTable({
  apiId,
  apiName,
  credentials,
  total,
  nextCursor,
  linkClients,
}: {
  apiId: string;
  apiName: string;
  credentials: ApiCredentialView[];
  total: number;
  nextCursor: string | null;
  /** Whether the viewer may open a client's page (clients.read). */
  linkClients: boolean;
}) {
  return (
    <section aria-labelledby="held-by" className="flex flex-col gap-3">
      <div>
        <h2 id="held-by" className="text-lg font-semibold">
          Credentials
        </h2>
        <p className={`text-sm ${muted}`}>
          {total === 0
            ? `No personal token or API client holds a permission of ${apiName}.`
            : `${total} ${total === 1 ? "credential holds" : "credentials hold"} permissions of ${apiName}. Last used here is what Keyward sees: a client getting a token for it, ${apiName} introspecting a personal token, or a request to Keyward's own API. Never used and longest idle come first.`}
        </p>
      </div>
      {credentials.length === 0 ? (
        total > 0 && (
          <div className={`${card} text-center`}>
            <p className="font-medium">No more credentials</p>
          </div>
        )
      ) : (
        <DataTable
          caption={`Credentials holding permissions of ${apiName}`}
          columns={["Credential", "Kind", "Owner", "Permissions here", "Last used here"]}
        >
          {credentials.map((credential) => (
            <tr key={`${credential.kind}:${credential.id}`}>
              <td className="px-4 py-3">
                <div className="flex flex-wrap items-center gap-2">
                  {credential.kind === "client" && linkClients ? (
                    <Link
                      href={`/clients/${credential.id}`}
                      className="font-medium text-indigo-700 hover:underline dark:text-indigo-400"
                    >
                      {credential.name}
                    </Link>
                  ) : (
                    <span className="font-medium">{credential.name}</span>
                  )}
                  {credential.disabled && <Badge tone="bad">Disabled</Badge>}
                </div>
                {credential.expiresAt && (
                  <p className={`text-xs ${muted}`}>Expires {formatDate(credential.expiresAt)}</p>
                )}
              </td>
              <td className="px-4 py-3">{credential.kind === "token" ? "Personal token" : "API client"}</td>
              <td className="px-4 py-3">
                {credential.owner?.email ?? <span className={muted}>No owner</span>}
              </td>
              <td className="px-4 py-3 font-mono text-xs">{credential.permissions.join(" ")}</td>
              <td className="px-4 py-3">
                {credential.lastUsedAt ? formatDate(credential.lastUsedAt) : <Badge tone="warn">Never</Badge>}
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      {nextCursor && (
        <Link
          href={`/apis/${apiId}?${new URLSearchParams({ held: nextCursor })}#held-by`}
          className={`${secondaryLinkButton} self-start`}
        >
          Next credentials
        </Link>
      )}
    </section>
  );
}
