import { Badge } from "@/components/ui/badge";
import type { ApiScopeView } from "@/lib/credentials/api-scopes";

/**
 * A credential's permissions of other APIs, grouped by API, each saying whether it works now and,
 * when it does not, which rule removed it (issue 14: permissions never go missing silently).
 */
export function ApiScopeList({
  scopes,
  empty = "None",
}: {
  scopes: readonly ApiScopeView[];
  empty?: string;
}) {
  if (scopes.length === 0) return <span className="text-slate-600 dark:text-slate-400">{empty}</span>;
  const groups = new Map<string, { api: ApiScopeView["api"]; scopes: ApiScopeView[] }>();
  for (const scope of scopes) {
    const group = groups.get(scope.api.id) ?? { api: scope.api, scopes: [] };
    group.scopes.push(scope);
    groups.set(scope.api.id, group);
  }
  return (
    <ul className="flex flex-col gap-2" data-testid="api-scopes">
      {[...groups.values()].map(({ api, scopes: list }) => (
        <li key={api.id}>
          <span className="text-xs font-medium">{api.name}</span>{" "}
          <code className="text-xs text-slate-600 dark:text-slate-400">{api.identifier}</code>
          <ul className="mt-1 flex flex-col gap-1">
            {list.map((scope) => (
              <li key={scope.id} className="flex flex-wrap items-center gap-1 text-xs">
                <code className={scope.effective ? "" : "line-through decoration-1"}>{scope.name}</code>
                {scope.effective ? (
                  <span className="sr-only">(works now)</span>
                ) : (
                  <>
                    <Badge tone="warn">Not effective</Badge>
                    <span className="text-amber-800 dark:text-amber-300">{scope.reason}</span>
                  </>
                )}
              </li>
            ))}
          </ul>
        </li>
      ))}
    </ul>
  );
}
