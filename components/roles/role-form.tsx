import { ApiPermissionPicker, type CatalogLoader } from "@/components/credentials/api-permission-picker";
import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import type { CatalogGroup } from "@/lib/apis/permission-catalog";
import type { ActionState } from "@/lib/http/action";
import { PERMISSION_DESCRIPTIONS, PERMISSIONS, type Permission } from "@/lib/policy/permissions";

type Action = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;
type Role = {
  id: string;
  name: string;
  description: string;
  permissions: Permission[];
  requiresMfa: boolean;
  builtIn: boolean;
  allApiPermissions?: boolean;
};

/** The other APIs' permissions: the catalog's first page, the role's current grants, the loader. */
export type RoleFormApis = {
  groups: CatalogGroup[];
  nextCursor: string | null;
  chosen: CatalogGroup[];
  load: CatalogLoader;
};

const input =
  "rounded-md border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-900 read-only:opacity-70";

/**
 * Create or edit a role. Permissions the actor does not hold cannot be ticked or unticked (the
 * server refuses it anyway); a built-in role only changes its "requires MFA" flag.
 */
export function RoleForm({
  role,
  held,
  apis,
  action,
  submitLabel,
}: {
  role?: Role;
  held: Permission[];
  apis: RoleFormApis;
  action: Action;
  submitLabel: string;
}) {
  const locked = role?.builtIn ?? false;
  return (
    <ActionForm
      action={action}
      hidden={role ? { roleId: role.id } : {}}
      label={submitLabel}
      className="flex max-w-2xl flex-col gap-4"
    >
      <label className="flex flex-col gap-1 text-sm font-medium">
        Name
        <input
          name="name"
          defaultValue={role?.name}
          required
          maxLength={60}
          readOnly={locked}
          className={input}
        />
      </label>
      <label className="flex flex-col gap-1 text-sm font-medium">
        Description
        <textarea
          name="description"
          defaultValue={role?.description}
          maxLength={500}
          rows={2}
          readOnly={locked}
          className={input}
        />
      </label>
      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">Keyward permissions</legend>
        {PERMISSIONS.map((permission) => {
          const checked = role?.permissions.includes(permission) ?? false;
          const fixed = locked || !held.includes(permission);
          return (
            <label key={permission} className="flex items-start gap-2 text-sm has-disabled:opacity-60">
              <input
                type="checkbox"
                name="permissions"
                value={permission}
                defaultChecked={checked}
                disabled={fixed}
                className="mt-1"
              />
              {/* A disabled box is not submitted: keep what the actor may not change. */}
              {fixed && checked && <input type="hidden" name="permissions" value={permission} />}
              <span>
                <code className="font-medium">{permission}</code>
                <span className="block text-xs text-slate-600 dark:text-slate-400">
                  {PERMISSION_DESCRIPTIONS[permission]}
                  {!locked &&
                    !held.includes(permission) &&
                    " You do not hold it, so you cannot grant or remove it."}
                </span>
              </span>
            </label>
          );
        })}
      </fieldset>
      {role?.allApiPermissions ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Other APIs: this role holds every permission of every API, present and future.
        </p>
      ) : (
        // Built-in roles keep Keyward's own permissions (they are code), but the organization's APIs
        // are data: a Developer role that may call the Orders API is the common case.
        <ApiPermissionPicker
          groups={apis.groups}
          nextCursor={apis.nextCursor}
          chosen={apis.chosen}
          load={apis.load}
        />
      )}
      <label className="flex items-start gap-2 text-sm">
        <input type="checkbox" name="requiresMfa" defaultChecked={role?.requiresMfa} className="mt-1" />
        <span>
          <span className="font-medium">Requires MFA</span>
          <span className="block text-xs text-slate-600 dark:text-slate-400">
            Holders must enroll a second factor before using Keyward.
          </span>
        </span>
      </label>
      <div>
        <SubmitButton>{submitLabel}</SubmitButton>
      </div>
    </ActionForm>
  );
}
