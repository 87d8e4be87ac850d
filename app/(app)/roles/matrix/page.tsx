import type { Metadata } from "next";
import Link from "next/link";

import { Badge, StatusBadge } from "@/components/ui/badge";
import { card, PageHeader, selectClass } from "@/components/ui/page-header";
import { builtInPermissionId } from "@/lib/apis/built-in-api";
import { pageData, requirePageUser } from "@/lib/http/page";
import { can } from "@/lib/policy/authorize";
import { isPermission } from "@/lib/policy/permissions";
import { holdersOfPermission, permissionMatrix } from "@/lib/roles/permission-matrix";

export const metadata: Metadata = { title: "Permission matrix · Roles" };

const submitClass = "rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500";

export default async function MatrixPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const principal = await requirePageUser("roles.read");
  const { api: apiId, cursor, permission, holds } = await searchParams;
  const matrix = await pageData(() => permissionMatrix(principal, { apiId, cursor }));
  const { api, permissions, roles } = matrix;
  // `permission` (a Keyward permission's name) is the older link; `holds` is any permission's id.
  const chosenId =
    holds ?? (permission && isPermission(permission) ? builtInPermissionId(permission) : undefined);
  const chosen = permissions.find((p) => p.id === chosenId);
  const canSeeUsers = can(principal, "users.read");
  const holders = chosen && canSeeUsers ? await holdersOfPermission(principal, chosen.id) : null;
  const apiQuery = api.builtIn ? "" : `api=${encodeURIComponent(api.id)}&`;

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        breadcrumbs={[{ label: "Roles", href: "/roles" }, { label: "Permission matrix" }]}
        title="Permission matrix"
        description="Which role gives which permission of an API, and who holds each permission."
      />
      <form method="get" className="flex flex-wrap items-end gap-2">
        <div className="flex flex-col gap-1">
          <label htmlFor="api" className="text-sm font-medium">
            API
          </label>
          <select id="api" name="api" defaultValue={api.id} className={selectClass}>
            {matrix.apis.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className={submitClass}>
          Show
        </button>
      </form>
      {permissions.length === 0 && (
        <p className="text-sm text-slate-600 dark:text-slate-400">{api.name} defines no permissions yet.</p>
      )}
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm">
          <caption className="sr-only">Roles and the permissions of {api.name} they give</caption>
          <thead>
            <tr className="border-b border-slate-200 dark:border-slate-800">
              <th scope="col" className="px-3 py-2 text-left">
                Permission
              </th>
              {roles.map((role) => (
                <th key={role.id} scope="col" className="px-3 py-2 text-center font-medium whitespace-nowrap">
                  <Link href={`/roles/${role.id}`} className="hover:underline">
                    {role.name}
                  </Link>
                </th>
              ))}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {permissions.map((p) => (
              <tr key={p.id}>
                <th scope="row" className="px-3 py-2 text-left font-normal">
                  <code title={p.description}>{p.name}</code>{" "}
                  {p.deprecated && <Badge tone="warn">Deprecated</Badge>}
                </th>
                {roles.map((role) => (
                  <td key={role.id} className="px-3 py-2 text-center">
                    {role.all ? (
                      <span aria-label="granted (Administrator: every permission of every API)">✓</span>
                    ) : role.granted.has(p.id) ? (
                      <span aria-label="granted">✓</span>
                    ) : (
                      <span aria-label="not granted" className="text-slate-300 dark:text-slate-700">
                        ·
                      </span>
                    )}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {(cursor || matrix.nextCursor) && (
        <nav aria-label="Roles pages" className="flex gap-4 text-sm">
          {cursor && (
            <Link
              href={`/roles/matrix?${apiQuery}`}
              className="text-indigo-700 hover:underline dark:text-indigo-400"
            >
              First roles
            </Link>
          )}
          {matrix.nextCursor && (
            <Link
              href={`/roles/matrix?${apiQuery}cursor=${encodeURIComponent(matrix.nextCursor)}`}
              className="text-indigo-700 hover:underline dark:text-indigo-400"
            >
              Next roles
            </Link>
          )}
        </nav>
      )}

      <section aria-labelledby="who" className={card}>
        <h2 id="who" className="mb-4 text-lg font-semibold">
          Who holds a permission
        </h2>
        {!canSeeUsers ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            Seeing who holds a permission needs users.read.
          </p>
        ) : (
          <>
            <form method="get" className="mb-4 flex flex-wrap items-end gap-2">
              {!api.builtIn && <input type="hidden" name="api" value={api.id} />}
              <div className="flex flex-col gap-1">
                <label htmlFor="holds" className="text-sm font-medium">
                  Permission of {api.name}
                </label>
                <select id="holds" name="holds" defaultValue={chosen?.id} className={selectClass}>
                  {permissions.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </div>
              <button type="submit" className={submitClass}>
                Show holders
              </button>
            </form>
            {holders &&
              chosen &&
              (holders.length === 0 ? (
                <p className="text-sm">
                  Nobody holds <code>{chosen.name}</code>.
                </p>
              ) : (
                <table className="w-full text-left text-sm">
                  <caption className="sr-only">Users holding {chosen.name}</caption>
                  <thead className="text-xs text-slate-600 uppercase dark:text-slate-400">
                    <tr>
                      <th scope="col" className="py-2 pr-4">
                        User
                      </th>
                      <th scope="col" className="py-2 pr-4">
                        Status
                      </th>
                      <th scope="col" className="py-2">
                        Through
                      </th>
                    </tr>
                  </thead>
                  <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                    {holders.map((user) => (
                      <tr key={user.id}>
                        <td className="py-2 pr-4">
                          <Link
                            href={`/users/${user.id}`}
                            className="text-indigo-700 hover:underline dark:text-indigo-400"
                          >
                            {user.email}
                          </Link>
                        </td>
                        <td className="py-2 pr-4">
                          <StatusBadge status={user.status} />
                        </td>
                        <td className="py-2">{user.via.join(", ")}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ))}
          </>
        )}
      </section>
    </div>
  );
}
