import { ActionForm, ConfirmSubmit } from "@/components/ui/action-form";
import { formatDate } from "@/components/ui/format";
import type { ActionState } from "@/lib/http/action";
import type { ConnectedApp } from "@/lib/oidc/connected-apps";

type EndAction = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/**
 * The apps a user signed in to through Keyward, on their page for administrators: what each was
 * allowed, whether it can stay signed in, and (with users.write) ending its use of the account.
 */
export function UserAppList({
  apps,
  user,
  end,
  canEnd,
}: {
  apps: ConnectedApp[];
  user: { id: string; name: string };
  end: EndAction;
  canEnd: boolean;
}) {
  if (apps.length === 0) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">
        They have not signed in to any app with Keyward.
      </p>
    );
  }
  return (
    <ul
      aria-label={`Apps ${user.name} signed in to`}
      className="divide-y divide-slate-200 dark:divide-slate-800"
    >
      {apps.map((app) => (
        <li key={app.id} className="flex flex-wrap items-start justify-between gap-3 py-3">
          <div className="min-w-0">
            <p className="font-medium break-words">{app.name}</p>
            <p className="text-sm text-slate-600 dark:text-slate-400">
              Since <time dateTime={app.allowedAt.toISOString()}>{formatDate(app.allowedAt)}</time>
              {" · last used "}
              {app.lastUsedAt ? (
                <time dateTime={app.lastUsedAt.toISOString()}>{formatDate(app.lastUsedAt)}</time>
              ) : (
                "not recorded yet"
              )}
              {app.refreshTokens ? " · can stay signed in" : ""} · {app.allowed.join("; ")}
            </p>
          </div>
          {canEnd && (
            <ActionForm
              action={end}
              hidden={{ userId: user.id, appId: app.id }}
              label={`End ${app.name} for ${user.name}`}
            >
              <ConfirmSubmit
                label="End"
                title={`End ${app.name} for ${user.name}?`}
                body={`${app.name} loses what they allowed it and cannot refresh its sign-in: they must sign in to it again.`}
                confirmLabel={`End ${app.name}`}
              />
            </ActionForm>
          )}
        </li>
      ))}
    </ul>
  );
}
