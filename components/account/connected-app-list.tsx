import { AppLogo } from "@/components/apps/app-logo";
import { ActionForm, ConfirmSubmit } from "@/components/ui/action-form";
import { Badge } from "@/components/ui/badge";
import { formatDate } from "@/components/ui/format";
import { card } from "@/components/ui/page-header";
import type { ActionState } from "@/lib/http/action";
import type { ConnectedApp } from "@/lib/oidc/connected-apps";

type RevokeAction = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

const muted = "text-sm text-slate-600 dark:text-slate-400";

/**
 * The apps that use the user's Keyward account (My account → Connected apps): each with what it
 * was allowed, in the consent screen's words, and a way to take that back behind a confirmation.
 */
export function ConnectedAppList({ apps, revoke }: { apps: ConnectedApp[]; revoke: RevokeAction }) {
  if (apps.length === 0) {
    return (
      <section aria-labelledby="no-connected-apps" className={card}>
        <h2 id="no-connected-apps" className="text-lg font-semibold">
          No apps use your Keyward account yet.
        </h2>
        <p className={`mt-2 ${muted}`}>
          When you sign in to an app with Keyward, it is listed here with what you allowed it, and you can
          take that back at any time.
        </p>
      </section>
    );
  }
  return (
    <ul aria-label="Connected apps" className="flex flex-col gap-4">
      {apps.map((app) => (
        <li key={app.id} className={card} aria-labelledby={`connected-${app.id}`}>
          <ConnectedAppEntry app={app} revoke={revoke} />
        </li>
      ))}
    </ul>
  );
}

function ConnectedAppEntry({ app, revoke }: { app: ConnectedApp; revoke: RevokeAction }) {
  const headingId = `connected-${app.id}`;
  return (
    <>
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="flex min-w-0 items-center gap-3">
          {app.logoUrl && <AppLogo name={app.name} src={app.logoUrl} />}
          <div className="min-w-0">
            <h2 id={headingId} className="text-lg font-semibold break-words">
              {app.name}
            </h2>
            <p className={muted}>
              Allowed on <time dateTime={app.allowedAt.toISOString()}>{formatDate(app.allowedAt)}</time>
              {" · "}
              {app.lastUsedAt ? (
                <>
                  last used <time dateTime={app.lastUsedAt.toISOString()}>{formatDate(app.lastUsedAt)}</time>
                </>
              ) : (
                "last use not recorded yet"
              )}
            </p>
          </div>
        </div>
        <ActionForm action={revoke} hidden={{ appId: app.id }} label={`Revoke access of ${app.name}`}>
          <ConfirmSubmit
            label="Revoke access"
            title={`Revoke ${app.name}'s access?`}
            body={
              app.firstParty
                ? `${app.name} can no longer refresh its sign-in or act for you with what you had allowed. Signing in to it again starts afresh.`
                : `${app.name} can no longer refresh its sign-in or act for you with what you had allowed. If you sign in to it again, it asks for your consent again.`
            }
            confirmLabel="Revoke access"
          />
        </ActionForm>
      </div>
      {(app.firstParty || app.disabled) && (
        <p className="mt-3 flex flex-wrap gap-2">
          {app.firstParty && <Badge tone="info">Your organization&apos;s app</Badge>}
          {app.disabled && <Badge tone="warn">Disabled by an administrator</Badge>}
        </p>
      )}
      <h3 id={`${headingId}-allowed`} className="mt-4 text-sm font-medium">
        What it may do
      </h3>
      <ul aria-labelledby={`${headingId}-allowed`} className="mt-1 list-disc space-y-1 pl-5 text-sm">
        {app.allowed.map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      {app.refreshTokens && <p className={`mt-3 ${muted}`}>Can stay signed in (refresh tokens)</p>}
      {app.homepageUrl && (
        <p className={`mt-3 ${muted}`}>
          Website:{" "}
          <a
            className="text-indigo-700 underline dark:text-indigo-300"
            href={app.homepageUrl}
            rel="noreferrer"
          >
            {new URL(app.homepageUrl).host}
          </a>
        </p>
      )}
    </>
  );
}
