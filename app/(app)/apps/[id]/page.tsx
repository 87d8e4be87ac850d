import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";

import { AppForm } from "@/components/apps/app-form";
import { AppSecretRotation } from "@/components/apps/app-secret-rotation";
import { Badge } from "@/components/ui/badge";
import { ActionForm, ConfirmSubmit, SubmitButton } from "@/components/ui/action-form";
import { CopyField } from "@/components/ui/copy-field";
import { formatDate } from "@/components/ui/format";
import { card, PageHeader } from "@/components/ui/page-header";
import { catalogEntries, permissionCatalog } from "@/lib/apis/permission-catalog";
import { APP_KIND_LABELS, appIdSchema } from "@/lib/apps/app-schemas";
import { getApp } from "@/lib/apps/list-apps";
import { getConfig } from "@/lib/config/env";
import { pageData, requirePageUser } from "@/lib/http/page";
import { can } from "@/lib/policy/authorize";
import { roleOptions } from "@/lib/roles/list-roles";

import {
  appCatalogAction,
  deleteAppAction,
  disableAppAction,
  enableAppAction,
  rotateAppSecretAction,
  updateAppAction,
} from "../actions";

type Props = { params: Promise<{ id: string }> };

/** The page and its title share one load per request (React's cache), authorized as the page is. */
const loadApp = cache(async (rawId: string) => {
  const principal = await requirePageUser("apps.read");
  const id = appIdSchema.safeParse(rawId);
  if (!id.success) notFound();
  return { principal, app: await pageData(() => getApp(principal, id.data)) };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { app } = await loadApp((await params).id);
  return { title: `${app.name} · Applications` };
}

const muted = "text-slate-600 dark:text-slate-400";

const seconds = (value: number) =>
  value % 86_400 === 0
    ? `${value / 86_400} days`
    : value % 60 === 0
      ? `${value / 60} minutes`
      : `${value} seconds`;

export default async function AppPage({ params }: Props) {
  const { principal, app } = await loadApp((await params).id);
  const mayEdit = can(principal, "apps.write");
  const [catalog, chosen, roles] = mayEdit
    ? await Promise.all([
        permissionCatalog({ actor: principal }),
        catalogEntries(
          principal,
          app.permissions.map((permission) => permission.id),
        ),
        can(principal, "roles.read") ? roleOptions(principal) : Promise.resolve(app.signInRoles),
      ])
    : [null, [], []];
  const hidden = { appId: app.id };
  const issuer = getConfig().issuer;

  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: "Applications", href: "/apps" }, { label: app.name }]}
        title={app.name}
        description={app.description || undefined}
        actions={
          <span className="flex flex-wrap gap-1">
            {app.disabled ? <Badge tone="bad">Disabled</Badge> : <Badge tone="good">Active</Badge>}
            {app.firstParty && <Badge tone="info">First-party</Badge>}
          </span>
        }
      />
      <div className="flex flex-col gap-6">
        <section aria-labelledby="about" className={`${card} flex flex-col gap-3`}>
          <h2 id="about" className="text-lg font-semibold">
            About
          </h2>
          <CopyField label="Client ID" value={app.clientId} />
          <CopyField label="Issuer" value={issuer} />
          <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
            <dt className={muted}>Kind</dt>
            <dd>{APP_KIND_LABELS[app.kind]}</dd>
            <dt className={muted}>Owner</dt>
            <dd>{app.owner ? `${app.owner.name} (${app.owner.email})` : "None"}</dd>
            <dt className={muted}>Redirect URIs</dt>
            <dd className="font-mono text-xs break-all">{app.redirectUris.join(" ")}</dd>
            <dt className={muted}>Who may sign in</dt>
            <dd>
              {app.restrictedToRoles
                ? `Holders of ${app.signInRoles.map((role) => role.name).join(", ") || "no role (nobody)"}`
                : "Everyone with an active account"}
            </dd>
            <dt className={muted}>May ask for</dt>
            <dd>
              {app.permissions.length === 0
                ? "No Protected API's permissions: sign-in only"
                : app.permissions
                    .map((p) => `${p.apiName}: ${p.name}${p.deprecated ? " (deprecated)" : ""}`)
                    .join(", ")}
            </dd>
            <dt className={muted}>Refresh tokens</dt>
            <dd>
              {app.refreshTokens
                ? `Yes: idle ${seconds(app.refreshTokenIdleSeconds)}, at most ${seconds(app.refreshTokenAbsoluteSeconds)}`
                : "No"}
            </dd>
            <dt className={muted}>Tokens</dt>
            <dd>
              {app.requireDpop
                ? "DPoP-bound (required): useless without the app's key"
                : "Bearer, or DPoP-bound when the app sends a proof"}
            </dd>
            <dt className={muted}>Registered</dt>
            <dd>{formatDate(app.createdAt)}</dd>
          </dl>
        </section>

        {app.kind === "web" && (
          <section aria-labelledby="secret" className={`${card} flex flex-col gap-3`}>
            <h2 id="secret" className="text-lg font-semibold">
              Client secret
            </h2>
            <ul className="flex flex-col gap-1 text-sm" aria-label="Secrets that work now">
              {app.secrets.map((secret) => (
                <li key={secret.id}>
                  <code>{secret.fragment}</code>, created {formatDate(secret.createdAt)}
                  {secret.expiresAt ? `, stops ${formatDate(secret.expiresAt)}` : ""}
                </li>
              ))}
            </ul>
            {mayEdit && (
              <AppSecretRotation appId={app.id} appName={app.name} action={rotateAppSecretAction} />
            )}
          </section>
        )}

        {mayEdit && catalog && (
          <section aria-labelledby="edit" className={card}>
            <h2 id="edit" className="mb-4 text-lg font-semibold">
              Edit
            </h2>
            <AppForm
              action={updateAppAction}
              roles={roles}
              defaultOwner={principal.email}
              apis={{ ...catalog, chosen, load: appCatalogAction }}
              app={{
                ...app,
                signInRoleIds: app.signInRoles.map((role) => role.id),
                ownerEmail: app.owner?.email ?? "",
              }}
            />
          </section>
        )}

        {mayEdit && (
          <section aria-labelledby="danger" className={card}>
            <h2 id="danger" className="mb-3 text-lg font-semibold">
              Disable or delete
            </h2>
            <div className="flex flex-wrap items-start gap-3">
              {app.disabled ? (
                <ActionForm action={enableAppAction} hidden={hidden} label={`Enable ${app.name}`}>
                  <SubmitButton variant="secondary">Enable</SubmitButton>
                </ActionForm>
              ) : (
                <ActionForm action={disableAppAction} hidden={hidden} label={`Disable ${app.name}`}>
                  <ConfirmSubmit
                    label="Disable"
                    title={`Disable ${app.name}?`}
                    body="Nobody can sign in to it through Keyward until it is enabled again. Its registration is kept."
                    confirmLabel="Disable application"
                  />
                </ActionForm>
              )}
              <ActionForm action={deleteAppAction} hidden={hidden} label={`Delete ${app.name}`}>
                <ConfirmSubmit
                  label="Delete"
                  title={`Delete ${app.name}?`}
                  body="Its registration and client secrets go. Users can no longer sign in to it. This cannot be undone."
                  confirmLabel="Delete application"
                />
              </ActionForm>
            </div>
          </section>
        )}
      </div>
    </>
  );
}
