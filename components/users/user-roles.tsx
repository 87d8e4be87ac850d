import { ActionForm, ConfirmSubmit, SubmitButton } from "@/components/ui/action-form";
import { selectClass } from "@/components/ui/page-header";
import type { ActionState } from "@/lib/http/action";

type Action = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;
type Role = { id: string; name: string };

export function UserRoles({
  user,
  roles,
  assignable,
  canWrite,
  assign,
  remove,
}: {
  user: { id: string; email: string };
  roles: Role[];
  assignable: (Role & { grantable: boolean })[];
  canWrite: boolean;
  assign: Action;
  remove: Action;
}) {
  const held = new Set(roles.map((r) => r.id));
  const options = assignable.filter((r) => !held.has(r.id));
  return (
    <div className="flex flex-col gap-4">
      {roles.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          No roles: this user can only manage their own account.
        </p>
      ) : (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800">
          {roles.map((role) => (
            <li key={role.id} className="flex items-center justify-between gap-4 py-2">
              <span className="font-medium">{role.name}</span>
              {canWrite && (
                <ActionForm
                  action={remove}
                  hidden={{ userId: user.id, roleId: role.id }}
                  label={`Remove ${role.name}`}
                >
                  <ConfirmSubmit
                    label="Remove"
                    title={`Remove ${role.name} from ${user.email}?`}
                    body="They lose the permissions it gives on their next request, unless another role gives them too."
                    confirmLabel={`Remove ${role.name}`}
                  />
                </ActionForm>
              )}
            </li>
          ))}
        </ul>
      )}
      {canWrite && options.length > 0 && (
        <ActionForm
          action={assign}
          hidden={{ userId: user.id }}
          label="Assign a role"
          className="flex flex-wrap items-end gap-2"
        >
          <div className="flex flex-col gap-1">
            <label htmlFor="assign-role" className="text-sm font-medium">
              Role to assign
            </label>
            <select id="assign-role" name="roleId" className={selectClass} required>
              {options.map((role) => (
                <option key={role.id} value={role.id} disabled={!role.grantable}>
                  {role.name}
                  {role.grantable ? "" : " (has permissions you do not hold)"}
                </option>
              ))}
            </select>
          </div>
          <SubmitButton variant="secondary">Assign</SubmitButton>
        </ActionForm>
      )}
    </div>
  );
}
