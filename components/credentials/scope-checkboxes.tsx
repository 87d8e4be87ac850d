import { PERMISSION_DESCRIPTIONS, PERMISSIONS, type Permission } from "@/lib/policy/permissions";

/**
 * Scopes to give a token or client. Only permissions the person holds can be chosen: the rest are
 * listed, disabled, so it is clear why they are missing.
 */
export function ScopeCheckboxes({
  held,
  checked = [],
  error,
  legend = "Scopes",
}: {
  held: readonly Permission[];
  checked?: readonly Permission[];
  error?: string;
  legend?: string;
}) {
  const holds = new Set(held);
  return (
    <fieldset className="flex flex-col gap-2" aria-describedby={error ? "scopes-error" : undefined}>
      <legend className="mb-1 text-sm font-medium">{legend}</legend>
      <div className="grid gap-2 sm:grid-cols-2">
        {PERMISSIONS.map((permission) => (
          <label key={permission} className="flex items-start gap-2 text-sm has-disabled:opacity-60">
            <input
              type="checkbox"
              name="scopes"
              value={permission}
              disabled={!holds.has(permission)}
              defaultChecked={checked.includes(permission)}
              className="mt-1"
            />
            <span>
              <span className="font-mono text-xs font-medium">{permission}</span>
              <span className="block text-xs text-slate-600 dark:text-slate-400">
                {holds.has(permission)
                  ? PERMISSION_DESCRIPTIONS[permission]
                  : `${PERMISSION_DESCRIPTIONS[permission]} (You do not hold it.)`}
              </span>
            </span>
          </label>
        ))}
      </div>
      {error && (
        <p id="scopes-error" className="text-xs text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </fieldset>
  );
}
