import Link from "next/link";

import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { Badge } from "@/components/ui/badge";
import { DataTable } from "@/components/ui/data-table";
import type { ActionState } from "@/lib/http/action";

import { HolderConfirmForm } from "./holder-confirm-form";

type Action = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/** One permission of the API with who holds it (lib/apis/list-apis.ts `ApiPermissionView`). */
export type PermissionRow = {
  id: string;
  name: string;
  description: string;
  deprecated: boolean;
  roles: { id: string; name: string }[];
  tokenCount: number;
  clientCount: number;
};

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "role Ops, 2 tokens and 1 client": what the removal dialog says before asking the server. */
export function holdersSummary(row: PermissionRow): string {
  const parts = [
    row.roles.length > 0
      ? `${row.roles.length === 1 ? "role" : "roles"} ${row.roles.map((r) => r.name).join(", ")}`
      : "",
    row.tokenCount > 0 ? count(row.tokenCount, "personal token", "personal tokens") : "",
    row.clientCount > 0 ? count(row.clientCount, "API client", "API clients") : "",
  ].filter(Boolean);
  return parts.join(", ");
}

/**
 * The API's permissions: what each means, whether it is deprecated, the roles granting it (links)
 * and how many tokens and clients carry it. An editor deprecates one (no new grants), restores
 * it, or removes a deprecated one; the removal names its holders before it takes it from them.
 */
export function PermissionsTable({
  apiId,
  permissions,
  mayEdit,
  deprecate,
  restore,
  remove,
}: {
  apiId: string;
  permissions: PermissionRow[];
  mayEdit: boolean;
  deprecate: Action;
  restore: Action;
  remove: Action;
}) {
  const columns: (string | { label: string; hidden: true })[] = [
    "Permission",
    "Roles granting it",
    "Tokens",
    "Clients",
  ];
  if (mayEdit) columns.push({ label: "Actions", hidden: true });
  return (
    <DataTable caption="Permissions" columns={columns}>
      {permissions.map((row) => {
        const hidden = { apiId, permissionId: row.id };
        const holders = holdersSummary(row);
        return (
          <tr key={row.id}>
            <td className="px-4 py-3 align-top">
              <span className="font-mono text-xs font-medium">{row.name}</span>
              {row.deprecated && (
                <span className="ml-2">
                  <Badge tone="warn">Deprecated</Badge>
                </span>
              )}
              {row.description && (
                <span className="mt-1 block max-w-md text-xs text-slate-600 dark:text-slate-400">
                  {row.description}
                </span>
              )}
            </td>
            <td className="px-4 py-3 align-top">
              {row.roles.length === 0 ? (
                <span className="text-slate-600 dark:text-slate-400">None</span>
              ) : (
                <ul className="flex flex-col gap-1">
                  {row.roles.map((role) => (
                    <li key={role.id}>
                      <Link
                        href={`/roles/${role.id}`}
                        className="text-indigo-700 hover:underline dark:text-indigo-400"
                      >
                        {role.name}
                      </Link>
                    </li>
                  ))}
                </ul>
              )}
            </td>
            <td className="px-4 py-3 align-top tabular-nums">{row.tokenCount}</td>
            <td className="px-4 py-3 align-top tabular-nums">{row.clientCount}</td>
            {mayEdit && (
              <td className="px-4 py-3 align-top">
                <div className="flex flex-wrap gap-2">
                  {row.deprecated ? (
                    <>
                      <ActionForm
                        action={restore}
                        hidden={{ ...hidden, deprecated: "false" }}
                        label={`Restore ${row.name}`}
                      >
                        <SubmitButton variant="secondary">Restore</SubmitButton>
                      </ActionForm>
                      <HolderConfirmForm
                        action={remove}
                        hidden={hidden}
                        label="Remove"
                        formLabel={`Remove ${row.name}`}
                        title={`Remove ${row.name}?`}
                        body={
                          holders
                            ? `It is still held by ${holders}. Keyward names each holder before taking it from them.`
                            : "Nothing holds it. It is removed from the API's catalog; the audit log keeps its history."
                        }
                        confirmLabel="Remove permission"
                        forceLabel={`Remove ${row.name} from them`}
                      />
                    </>
                  ) : (
                    <ActionForm
                      action={deprecate}
                      hidden={{ ...hidden, deprecated: "true" }}
                      label={`Deprecate ${row.name}`}
                    >
                      <SubmitButton variant="secondary">Deprecate</SubmitButton>
                    </ActionForm>
                  )}
                </div>
              </td>
            )}
          </tr>
        );
      })}
    </DataTable>
  );
}
