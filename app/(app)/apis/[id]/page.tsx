import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";

import { AddPermissionForm } from "@/components/apis/add-permission-form";
import { ApiCredentialsTable } from "@/components/apis/api-credentials-table";
import { ApiForm } from "@/components/apis/api-form";
import { ApiSnippets } from "@/components/apis/api-snippets";
import { ApiStatusBadges } from "@/components/apis/api-status-badge";
import { HolderConfirmForm } from "@/components/apis/holder-confirm-form";
import { ImportPermissionsForm } from "@/components/apis/import-permissions-form";
import { PermissionsTable } from "@/components/apis/permissions-table";
import { ResourceServerCredentials } from "@/components/apis/resource-server-credentials";
import { RecentEvents } from "@/components/audit/recent-events";
import { ActionForm, ConfirmSubmit, SubmitButton } from "@/components/ui/action-form";
import { FormAlert } from "@/components/ui/form-alert";
import { formatDate } from "@/components/ui/format";
import { card, PageHeader, secondaryLinkButton } from "@/components/ui/page-header";
import { listApiCredentials } from "@/lib/apis/api-inventory";
import { apiIdSchema, listApiCredentialsSchema } from "@/lib/apis/api-schemas";
import { getApi } from "@/lib/apis/list-apis";
import { listAuditEventsSchema } from "@/lib/audit/audit-schemas";
import { listAuditEvents } from "@/lib/audit/list-events";
import { db } from "@/lib/db/client";
import { pageData, requirePageUser } from "@/lib/http/page";
import { serverMetadata } from "@/lib/oauth/metadata";
import { can } from "@/lib/policy/authorize";
import { mayManageResourceServerCredentials } from "@/lib/resource-servers/access";
import { listResourceServerCredentials } from "@/lib/resource-servers/list-credentials";
import { getSettings } from "@/lib/settings/settings";

import {
  addPermissionAction,
  deleteApiAction,
  disableApiAction,
  enableApiAction,
  removePermissionAction,
  setPermissionDeprecatedAction,
  updateApiAction,
} from "../actions";
import {
  createResourceServerCredentialAction,
  revokeResourceServerCredentialAction,
  rotateResourceServerSecretAction,
} from "./resource-server-actions";

type Props = {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
};

/**
 * The page and its title share one load per request (React's cache). apis.read sees every API; an
 * API's owner without it reaches their own from its link (lib/apis decides: others are 404).
 */
const loadApi = cache(async (rawId: string) => {
  const principal = await requirePageUser();
  const id = apiIdSchema.safeParse(rawId);
  if (!id.success) notFound();
  return { principal, api: await pageData(() => getApi({ actor: principal, id: id.data })) };
});

export async function generateMetadata({ params }: Pick<Props, "params">): Promise<Metadata> {
  const { api } = await loadApi((await params).id);
  return { title: `${api.name} · APIs` };
}

function minutes(seconds: number): string {
  if (seconds % 60 !== 0) return `${seconds} seconds`;
  const m = seconds / 60;
  return m === 1 ? "1 minute" : `${m} minutes`;
}

const muted = "text-slate-600 dark:text-slate-400";

export default async function ApiPage({ params, searchParams }: Props) {
  const { principal, api } = await loadApi((await params).id);
  const { created, held } = await searchParams;
  const { accessTokenMinutes } = await getSettings(db);
  const metadata = serverMetadata();
  const endpoints = {
    issuer: String(metadata.issuer),
    tokenEndpoint: String(metadata.token_endpoint),
    jwksUri: String(metadata.jwks_uri),
    introspectionEndpoint: String(metadata.introspection_endpoint),
  };
  const events = can(principal, "audit.read")
    ? await listAuditEvents(principal, listAuditEventsSchema.parse({ target: api.id, limit: 20 }))
    : null;
  // getApi answered, so the viewer holds apis.read or owns the API: both may list its credentials.
  const credentials = (await listResourceServerCredentials(principal, api.id, { limit: 50 })).items;
  const heldPage = listApiCredentialsSchema.safeParse({ after: held });
  const holders = await listApiCredentials(
    principal,
    api.id,
    heldPage.success ? heldPage.data : listApiCredentialsSchema.parse({}),
  );
  const ungranted = api.permissions.filter((p) => p.roles.length === 0);
  const active = api.permissions.filter((p) => !p.deprecated).map((p) => p.name);
  const hidden = { apiId: api.id };

  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: "APIs", href: "/apis" }, { label: api.name }]}
        title={api.name}
        description={api.description || undefined}
        actions={<ApiStatusBadges disabled={api.disabled} builtIn={api.builtIn} />}
      />
      <div className="flex flex-col gap-6">
        {created && (
          <FormAlert tone="success">
            API registered. Add its permissions below, then grant them through roles.
          </FormAlert>
        )}
        {api.builtIn && (
          <p className={`text-sm ${muted}`}>
            Keyward&apos;s own admin API is built in: its identifier follows this deployment&apos;s URL and
            its permissions follow this version&apos;s code, so it is shown read-only.
          </p>
        )}

        <section aria-labelledby="about" className={card}>
          <h2 id="about" className="mb-3 text-lg font-semibold">
            About
          </h2>
          <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[max-content_1fr]">
            <dt className={muted}>Identifier (audience)</dt>
            <dd className="font-mono text-xs break-all">{api.identifier}</dd>
            <dt className={muted}>Owner</dt>
            <dd>{api.owner ? `${api.owner.name} (${api.owner.email})` : "None"}</dd>
            <dt className={muted}>Access-token lifetime</dt>
            <dd>{minutes(api.accessTokenTtlSeconds)}</dd>
            <dt className={muted}>Personal tokens</dt>
            <dd>
              {!api.allowPersonalTokens
                ? "May not carry its permissions"
                : api.requireDpop
                  ? "May carry its permissions, but are inactive here: they are never DPoP-bound"
                  : "May carry its permissions"}
            </dd>
            <dt className={muted}>Tokens</dt>
            <dd>{api.requireDpop ? "DPoP-bound only (required)" : "Bearer or DPoP"}</dd>
            <dt className={muted}>Registered</dt>
            <dd>{formatDate(api.createdAt)}</dd>
          </dl>
        </section>

        {api.mayEdit && (
          <section aria-labelledby="edit" className={card}>
            <h2 id="edit" className="mb-4 text-lg font-semibold">
              Edit
            </h2>
            <ApiForm
              action={updateApiAction}
              defaultOwner={principal.email}
              capMinutes={accessTokenMinutes}
              api={{
                id: api.id,
                name: api.name,
                identifier: api.identifier,
                description: api.description,
                ownerEmail: api.owner?.email ?? "",
                accessTokenTtlSeconds: api.accessTokenTtlSeconds,
                allowPersonalTokens: api.allowPersonalTokens,
                requireDpop: api.requireDpop,
                identifierLocked: api.identifierLocked,
              }}
            />
          </section>
        )}

        <section aria-labelledby="permissions" className="flex flex-col gap-4">
          <div className="flex flex-wrap items-end justify-between gap-3">
            <div>
              <h2 id="permissions" className="text-lg font-semibold">
                Permissions
              </h2>
              <p className={`text-sm ${muted}`}>
                What roles grant, and what tokens and clients for this API may carry as scopes.
              </p>
            </div>
            {api.permissions.length > 0 && (
              <a
                href={`/api/v1/apis/${api.id}/permissions/export`}
                download={`${api.name.replace(/[^\w.-]+/g, "-").toLowerCase()}-permissions.json`}
                className={secondaryLinkButton}
              >
                Export JSON
              </a>
            )}
          </div>
          {ungranted.length > 0 && (
            <div
              role="note"
              aria-label="Permissions no role grants"
              className="rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
            >
              <p className="font-medium">Permissions no role grants</p>
              <p className="mt-1">
                Nobody gets these through a role, so no person&apos;s token carries them:{" "}
                <span className="font-mono text-xs">{ungranted.map((p) => p.name).join(", ")}</span>. Grant
                them from a role&apos;s page, or deprecate the ones no longer used.
              </p>
            </div>
          )}
          {api.permissions.length === 0 ? (
            <div className={`${card} text-center`}>
              <p className="font-medium">No permissions yet</p>
              <p className={`mt-1 text-sm ${muted}`}>
                A permission is one thing a caller may do at this API, such as orders.read. Add them one at a
                time, or import them from a JSON export or an OpenAPI document.
              </p>
            </div>
          ) : (
            <PermissionsTable
              apiId={api.id}
              permissions={api.permissions}
              mayEdit={api.mayEdit}
              deprecate={setPermissionDeprecatedAction}
              restore={setPermissionDeprecatedAction}
              remove={removePermissionAction}
            />
          )}
          {api.mayEdit && (
            <>
              <div className={card}>
                <h3 className="mb-3 font-semibold">Add a permission</h3>
                <AddPermissionForm apiId={api.id} action={addPermissionAction} />
              </div>
              <div className={card}>
                <h3 className="mb-3 font-semibold">Import permissions</h3>
                <ImportPermissionsForm apiId={api.id} />
              </div>
            </>
          )}
        </section>

        <ApiCredentialsTable
          apiId={api.id}
          apiName={api.name}
          credentials={holders.items}
          total={holders.total}
          nextCursor={holders.nextCursor}
          linkClients={can(principal, "clients.read")}
        />

        <section aria-labelledby="use" className={card}>
          <h2 id="use" className="mb-3 text-lg font-semibold">
            Use this API
          </h2>
          <ApiSnippets endpoints={endpoints} identifier={api.identifier} scopes={active} />
        </section>

        <ResourceServerCredentials
          apiId={api.id}
          apiName={api.name}
          credentials={credentials}
          canManage={mayManageResourceServerCredentials(principal, {
            id: api.id,
            ownerId: api.owner?.id ?? null,
          })}
          introspectionUrl={endpoints.introspectionEndpoint}
          create={createResourceServerCredentialAction}
          rotate={rotateResourceServerSecretAction}
          revoke={revokeResourceServerCredentialAction}
        />

        {events && (
          <section aria-labelledby="activity" className={card}>
            <div className="mb-3 flex flex-wrap items-baseline justify-between gap-2">
              <h2 id="activity" className="text-lg font-semibold">
                Activity
              </h2>
              <a
                href={`/audit?${new URLSearchParams({ target: api.id })}`}
                className="text-sm text-indigo-700 underline dark:text-indigo-400"
              >
                All of this API&apos;s events in the audit log
              </a>
            </div>
            <RecentEvents
              events={events.items.map((event) => ({
                id: BigInt(event.id),
                occurredAt: event.occurredAt,
                action: event.action,
                actorDisplay: event.actor.display,
                outcome: event.outcome,
                ip: event.ip,
              }))}
            />
          </section>
        )}

        {api.mayEdit && (
          <section aria-labelledby="danger" className={card}>
            <h2 id="danger" className="mb-3 text-lg font-semibold">
              Disable or delete
            </h2>
            <div className="flex flex-wrap items-start gap-3">
              {api.disabled ? (
                <ActionForm action={enableApiAction} hidden={hidden} label={`Enable ${api.name}`}>
                  <SubmitButton variant="secondary">Enable</SubmitButton>
                </ActionForm>
              ) : (
                <ActionForm action={disableApiAction} hidden={hidden} label={`Disable ${api.name}`}>
                  <ConfirmSubmit
                    label="Disable"
                    title={`Disable ${api.name}?`}
                    body="No tokens are issued for it, and tokens already issued stop being active for it (introspection answers active: false). Grants are kept: enabling it restores them."
                    confirmLabel="Disable API"
                  />
                </ActionForm>
              )}
              <HolderConfirmForm
                action={deleteApiAction}
                hidden={hidden}
                label="Delete"
                formLabel={`Delete ${api.name}`}
                title={`Delete ${api.name}?`}
                body="Its permissions go with it. If roles, tokens or clients hold any, Keyward names them first and asks again. This cannot be undone."
                confirmLabel="Delete API"
                forceLabel={`Delete ${api.name} and take its permissions from them`}
              />
            </div>
          </section>
        )}
      </div>
    </>
  );
}
