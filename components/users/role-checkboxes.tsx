export type RoleOption = { id: string; name: string; description: string; grantable: boolean };

/** Roles to give; those carrying a permission the actor lacks are shown but cannot be chosen. */
export function RoleCheckboxes({ roles, name = "roleIds" }: { roles: RoleOption[]; name?: string }) {
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium">Roles</legend>
      {roles.map((role) => (
        <label key={role.id} className="flex items-start gap-2 text-sm has-disabled:opacity-60">
          <input type="checkbox" name={name} value={role.id} disabled={!role.grantable} className="mt-1" />
          <span>
            <span className="font-medium">{role.name}</span>
            <span className="block text-xs text-slate-600 dark:text-slate-400">
              {role.grantable
                ? role.description
                : `${role.description} You cannot grant it: it has permissions you do not hold.`}
            </span>
          </span>
        </label>
      ))}
    </fieldset>
  );
}
