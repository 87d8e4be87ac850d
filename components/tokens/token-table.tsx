import { ApiScopeList } from "@/components/credentials/api-scope-list";
import { Badge } from "@/components/ui/badge";
import { formatDate } from "@/components/ui/format";
import { DataTable } from "@/components/ui/data-table";
import type { TokenView } from "@/lib/tokens/list-tokens";

const STATUS_TONE = { active: "good", expired: "warn", revoked: "bad" } as const;

/** Tokens with what a holder needs to judge them; `actions` renders each row's controls. */
export function TokenTable({
  tokens,
  caption,
  showOwner = false,
  actions,
}: {
  tokens: TokenView[];
  caption: string;
  showOwner?: boolean;
  actions: (token: TokenView) => React.ReactNode;
}) {
  return (
    <DataTable
      caption={caption}
      columns={[
        "Name",
        ...(showOwner ? ["Owner"] : []),
        "Scopes",
        "Status",
        "Created / expires",
        "Last used",
        { label: "Actions", hidden: true },
      ]}
    >
      {tokens.map((token) => (
        <tr key={token.id} className="align-top">
          <td className="px-4 py-3">
            <span className="font-medium">{token.name}</span>
            <span className="block font-mono text-xs text-slate-600 dark:text-slate-400">
              {token.fragment}
            </span>
            {token.overlapEndsAt && (
              <span className="block text-xs text-amber-700 dark:text-amber-400">
                Previous secret works until {formatDate(token.overlapEndsAt)}
              </span>
            )}
          </td>
          {showOwner && <td className="px-4 py-3">{token.owner.email}</td>}
          <td className="px-4 py-3 text-xs">
            <span className="font-mono">{token.scopes.join(" ")}</span>
            {token.apiPermissions.length > 0 && (
              <div className={token.scopes.length > 0 ? "mt-2" : ""}>
                <ApiScopeList scopes={token.apiPermissions} />
              </div>
            )}
          </td>
          <td className="px-4 py-3">
            <Badge tone={STATUS_TONE[token.status]}>{token.status}</Badge>
          </td>
          <td className="px-4 py-3 text-xs whitespace-nowrap">
            {formatDate(token.createdAt)}
            <span className="block text-slate-600 dark:text-slate-400">
              {token.expiresAt ? `until ${formatDate(token.expiresAt)}` : "never expires"}
            </span>
          </td>
          <td className="px-4 py-3 text-xs whitespace-nowrap">
            {formatDate(token.lastUsedAt)}
            {token.lastUsedIp && (
              <span className="block text-slate-600 dark:text-slate-400">from {token.lastUsedIp}</span>
            )}
          </td>
          <td className="px-4 py-3">{actions(token)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
