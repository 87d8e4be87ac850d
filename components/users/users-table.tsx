import Link from "next/link";

import { Badge, StatusBadge } from "@/components/ui/badge";
import { formatDate } from "@/components/ui/format";
import { DataTable } from "@/components/ui/data-table";
import type { UserListItem } from "@/lib/users/list-users";

export function UsersTable({ users }: { users: UserListItem[] }) {
  return (
    <DataTable caption="Users" columns={["Name", "Email", "Status", "Roles", "MFA", "Last sign-in"]}>
      {users.map((user) => (
        <tr key={user.id} className="hover:bg-slate-50 dark:hover:bg-slate-800/50">
          <td className="px-4 py-3 font-medium">
            <Link href={`/users/${user.id}`} className="text-indigo-700 hover:underline dark:text-indigo-400">
              {user.name}
            </Link>
          </td>
          <td className="px-4 py-3">{user.email}</td>
          <td className="px-4 py-3">
            <StatusBadge status={user.status} />
          </td>
          <td className="px-4 py-3">
            {user.roles.join(", ") || <span className="text-slate-600 dark:text-slate-400">None</span>}
          </td>
          <td className="px-4 py-3">
            {user.hasMfa ? <Badge tone="good">Yes</Badge> : <Badge tone="warn">No</Badge>}
          </td>
          <td className="px-4 py-3 whitespace-nowrap">{formatDate(user.lastSignInAt)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
