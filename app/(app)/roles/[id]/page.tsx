import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";

import { RoleForm } from "@/components/roles/role-form";
import { ActionForm, ConfirmSubmit } from "@/components/ui/action-form";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { FormAlert } from "@/components/ui/form-alert";
import { card, PageHeader } from "@/components/ui/page-header";
import { catalogEntries, permissionCatalog } from "@/lib/apis/permission-catalog";
import { pageData, requirePageUser } from "@/lib/http/page";
import { can, missingPermissions } from "@/lib/policy/authorize";
import { roleRefusal } from "@/lib/policy/grants";
import { PERMISSION_DESCRIPTIONS } from "@/lib/policy/permissions";
import { getRole, roleHolders } from "@/lib/roles/list-roles";
import { roleIdSchema } from "@/lib/users/user-schemas";

import { deleteRoleAction, roleCatalogAction, updateRoleAction } from "../actions";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | undefined>> };

/** The page and its title share one load per request (React's cache), authorized as the page is. */
const loadRole = cache(async (rawId: string) => {
  const principal = await requirePageUser("roles.read");
  const id = roleIdSchema.safeParse(rawId);
  if (!id.success) notFound();
  return { principal, role: await pageData(() => getRole(principal, id.data)) };
});

export async function generateMetadata({ params }: Pick<Props, "params">): Promise<Metadata> {
  const { role } = await loadRole((await params).id);
  return { title: `${role.name} · Roles` };
}

export default async function RolePage({ params, searchParams }: Props) {
  const { principal, role } = await loadRole((await params).id);
  const holders = can(principal, "users.read") ? await roleHolders(principal, role.id) : null;
  // Editing or deleting a role needs every permission it grants (lib/roles/manage-role.ts).
  const beyond = missingPermissions(principal, role.permissions);
  const canWrite = can(principal, "roles.write") && beyond.length === 0;
  const { created } = await searchParams;
  const grantedIds = role.apiPermissions.map((p) => p.id);
  const [catalog, chosen] = canWrite
    ? await Promise.all([permissionCatalog({ actor: principal }), catalogEntries(principal, grantedIds)])
    : [null, []];
  // Other APIs' grants the actor may not remove stay on a save; say so before they try.
  const fixedApi = chosen.flatMap((group) =>
    group.permissions.filter((p) => !p.grantable).map((p) => `${group.api.name}: ${p.name}`),
  );
  const deprecatedKept = role.apiPermissions.filter((p) => p.deprecated);

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        breadcrumbs={[{ label: "Roles", href: "/roles" }, { label: role.name }]}
        title={role.name}
        description={role.description || undefined}
        actions={
          <>
            {role.builtIn && <Badge>Built-in</Badge>}
            {role.requiresMfa && <Badge tone="info">Requires MFA</Badge>}
          </>
        }
      />
      {created && <FormAlert tone="success">Role created. Assign it from a user&apos;s page.</FormAlert>}
      {role.unresolvedPermissions.length > 0 && (
        <FormAlert>
          This role holds {role.unresolvedPermissions.length === 1 ? "a permission" : "permissions"} this
          version of Keyward does not define: {role.unresolvedPermissions.join(", ")}. They grant nothing and
          are kept until removed; saving the role leaves them in place.
        </FormAlert>
      )}
      {can(principal, "roles.write") && beyond.length > 0 && (
        <FormAlert>{roleRefusal(beyond.join(", "))}</FormAlert>
      )}
      {deprecatedKept.length > 0 && (
        <FormAlert>
          This role still grants deprecated permissions:{" "}
          {deprecatedKept.map((p) => `${p.api.name}: ${p.name}`).join(", ")}. They keep working until removed;
          once removed they cannot be granted again.
        </FormAlert>
      )}
      {canWrite && fixedApi.length > 0 && (
        <FormAlert>
          You do not hold {fixedApi.join(", ")}: a save keeps {fixedApi.length === 1 ? "it" : "them"} as{" "}
          {fixedApi.length === 1 ? "it is" : "they are"}.
        </FormAlert>
      )}
      <section aria-labelledby="settings" className={card}>
        <h2 id="settings" className="mb-4 text-lg font-semibold">
          {canWrite ? "Edit role" : "Permissions"}
        </h2>
        {canWrite ? (
          <RoleForm
            role={role}
            held={[...principal.permissions]}
            apis={{
              groups: catalog?.groups ?? [],
              nextCursor: catalog?.nextCursor ?? null,
              chosen,
              load: roleCatalogAction,
            }}
            action={updateRoleAction}
            submitLabel="Save role"
          />
        ) : (
          <RolePermissionsView role={role} />
        )}
      </section>
      {holders && (
        <section aria-labelledby="holders" className={card}>
          <h2 id="holders" className="mb-4 text-lg font-semibold">
            Holders ({role.holders})
          </h2>
          {holders.length === 0 ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">Nobody holds this role yet.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
              {holders.map((user) => (
                <li key={user.id} className="flex items-center gap-3 py-2">
                  <Link
                    href={`/users/${user.id}`}
                    className="text-indigo-700 hover:underline dark:text-indigo-400"
                  >
                    {user.email}
                  </Link>
                  <StatusBadge status={user.status} />
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
      {canWrite && !role.builtIn && (
        <section aria-labelledby="delete" className={`${card} border-red-200 dark:border-red-900`}>
          <h2 id="delete" className="mb-4 text-lg font-semibold">
            Delete role
          </h2>
          <ActionForm action={deleteRoleAction} hidden={{ roleId: role.id }} label="Delete role">
            <ConfirmSubmit
              label="Delete role"
              title={`Delete ${role.name}?`}
              body={
                role.holders > 0
                  ? `${role.holders} user(s) hold it and lose its permissions at once.`
                  : "Nobody holds it."
              }
              confirmLabel="Delete role"
            >
              {role.holders > 0 && (
                <label className="mt-4 flex items-center gap-2 text-sm">
                  <input type="checkbox" name="removeFromHolders" required />
                  Remove it from its {role.holders} holder{role.holders === 1 ? "" : "s"}
                </label>
              )}
            </ConfirmSubmit>
          </ActionForm>
        </section>
      )}
    </div>
  );
}

type RoleView = Awaited<ReturnType<typeof getRole>>;

/** A role's permissions, read-only: Keyward's own, then other APIs' grouped by API. */
function RolePermissionsView({ role }: { role: RoleView }) {
  const byApi = new Map<
    string,
    { name: string; identifier: string; permissions: RoleView["apiPermissions"] }
  >();
  for (const p of role.apiPermissions) {
    const group = byApi.get(p.api.id) ?? { name: p.api.name, identifier: p.api.identifier, permissions: [] };
    group.permissions.push(p);
    byApi.set(p.api.id, group);
  }
  return (
    <div className="flex flex-col gap-4 text-sm">
      {role.permissions.length === 0 ? (
        <p className="text-slate-600 dark:text-slate-400">No Keyward permissions.</p>
      ) : (
        <ul className="grid gap-2">
          {role.permissions.map((p) => (
            <li key={p}>
              <code>{p}</code>{" "}
              <span className="text-slate-600 dark:text-slate-400">{PERMISSION_DESCRIPTIONS[p]}</span>
            </li>
          ))}
        </ul>
      )}
      {role.allApiPermissions ? (
        <p>Every permission of every API, present and future.</p>
      ) : (
        [...byApi.entries()].map(([apiId, group]) => (
          <section key={apiId} aria-label={group.name}>
            <h3 className="font-medium">
              {group.name}{" "}
              <code className="text-xs font-normal text-slate-600 dark:text-slate-400">
                {group.identifier}
              </code>
            </h3>
            <ul className="mt-1 flex flex-wrap gap-2">
              {group.permissions.map((p) => (
                <li key={p.id} className="flex items-center gap-1">
                  <code>{p.name}</code>
                  {p.deprecated && <Badge tone="warn">Deprecated</Badge>}
                </li>
              ))}
            </ul>
          </section>
        ))
      )}
    </div>
  );
}
