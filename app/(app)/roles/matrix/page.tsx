import type { Metadata } from "next";
import Link from "next/link";

import { card, PageHeader, selectClass } from "@/components/ui/page-header";
import { StatusBadge } from "@/components/ui/badge";
import { requirePageUser } from "@/lib/http/page";
import { can } from "@/lib/policy/authorize";
import { isPermission, PERMISSION_DESCRIPTIONS, PERMISSIONS } from "@/lib/policy/permissions";
import { holdersOfPermission, permissionMatrix } from "@/lib/roles/permission-matrix";

export const metadata: Metadata = { title: "Permission matrix · Roles" };

export default async function MatrixPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | undefined>>;
}) {
  const principal = await requirePageUser("roles.read");
  const roles = await permissionMatrix(principal);
  const { permission } = await searchParams;
  const chosen = permission && isPermission(permission) ? permission : undefined;
  const canSeeUsers = can(principal, "users.read");
  const holders = chosen && canSeeUsers ? await holdersOfPermission(principal, chosen) : null;

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        breadcrumbs={[{ label: "Roles", href: "/roles" }, { label: "Permission matrix" }]}
        title="Permission matrix"
        description="Which role gives which permission, and who holds each permission."
      />
      <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <table className="w-full text-sm">
          <caption className="sr-only">Roles and the permissions they give</caption>
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
            {PERMISSIONS.map((p) => (
              <tr key={p}>
                <th scope="row" className="px-3 py-2 text-left font-normal">
                  <code title={PERMISSION_DESCRIPTIONS[p]}>{p}</code>
                </th>
                {roles.map((role) => (
                  <td key={role.id} className="px-3 py-2 text-center">
                    {role.permissions.includes(p) ? (
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
            <form method="get" className="mb-4 flex items-end gap-2">
              <div className="flex flex-col gap-1">
                <label htmlFor="permission" className="text-sm font-medium">
                  Permission
                </label>
                <select id="permission" name="permission" defaultValue={chosen} className={selectClass}>
                  {PERMISSIONS.map((p) => (
                    <option key={p} value={p}>
                      {p}
                    </option>
                  ))}
                </select>
              </div>
              <button
                type="submit"
                className="rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500"
              >
                Show holders
              </button>
            </form>
            {holders &&
              (holders.length === 0 ? (
                <p className="text-sm">
                  Nobody holds <code>{chosen}</code>.
                </p>
              ) : (
                <table className="w-full text-left text-sm">
                  <caption className="sr-only">Users holding {chosen}</caption>
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
