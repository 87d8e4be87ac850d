import Link from "next/link";

import { Badge, StatusBadge } from "@/components/ui/badge";
import { formatDate } from "@/components/ui/format";
import type { UserListItem } from "@/lib/users/list-users";

export function UsersTable({ users }: { users: UserListItem[] }) {
  return (
    <div className="overflow-x-auto rounded-xl border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">Users</caption>
        <thead className="border-b border-slate-200 text-xs text-slate-600 uppercase dark:border-slate-800 dark:text-slate-400">
          <tr>
            <th scope="col" className="px-4 py-3">
              Name
            </th>
            <th scope="col" className="px-4 py-3">
              Email
            </th>
            <th scope="col" className="px-4 py-3">
              Status
            </th>
            <th scope="col" className="px-4 py-3">
              Roles
            </th>
            <th scope="col" className="px-4 py-3">
              MFA
            </th>
            <th scope="col" className="px-4 py-3">
              Last sign-in
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {users.map((user) => (
            <tr key={user.id} className="hover:bg-slate-50 dark:hover:bg-slate-800/50">
              <td className="px-4 py-3 font-medium">
                <Link
                  href={`/users/${user.id}`}
                  className="text-indigo-700 hover:underline dark:text-indigo-400"
                >
                  {user.name}
                </Link>
              </td>
              <td className="px-4 py-3">{user.email}</td>
              <td className="px-4 py-3">
                <StatusBadge status={user.status} />
              </td>
              <td className="px-4 py-3">
                {user.roles.join(", ") || <span className="text-slate-500">None</span>}
              </td>
              <td className="px-4 py-3">
                {user.hasMfa ? <Badge tone="good">Yes</Badge> : <Badge tone="warn">No</Badge>}
              </td>
              <td className="px-4 py-3 whitespace-nowrap">{formatDate(user.lastSignInAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
