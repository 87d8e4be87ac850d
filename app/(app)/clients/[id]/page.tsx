import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";

import { ClientForm } from "@/components/clients/client-form";
import { ClientSecretRotation } from "@/components/clients/client-secret-rotation";
import { ClientStatusBadge } from "@/components/clients/client-status-badge";
import { ApiScopeList } from "@/components/credentials/api-scope-list";
import { ReassignOwnerForm } from "@/components/clients/reassign-owner-form";
import { ActionForm, ConfirmSubmit, SubmitButton } from "@/components/ui/action-form";
import { formatDate } from "@/components/ui/format";
import { card, PageHeader } from "@/components/ui/page-header";
import { ungrantable } from "@/lib/apis/holdings";
import { catalogEntries, permissionCatalog } from "@/lib/apis/permission-catalog";
import { clientIdSchema } from "@/lib/clients/client-schemas";
import { getClient } from "@/lib/clients/list-clients";
import { scopesBeyond } from "@/lib/clients/manage-clients";
import { pageData, requirePageUser } from "@/lib/http/page";
import { can } from "@/lib/policy/authorize";

import {
  declineClientReassignmentAction,
  deleteClientAction,
  disableClientAction,
  enableClientAction,
  reassignClientAction,
  rotateClientSecretAction,
  clientCatalogAction,
  updateClientAction,
} from "../actions";

type Props = { params: Promise<{ id: string }> };

/** The page and its title share one load per request (React's cache), authorized as the page is. */
const loadClient = cache(async (rawId: string) => {
  const principal = await requirePageUser("clients.read");
  const id = clientIdSchema.safeParse(rawId);
  if (!id.success) notFound();
  return { principal, client: await pageData(() => getClient(principal, id.data)) };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { client } = await loadClient((await params).id);
  return { title: `${client.name} · API clients` };
}

export default async function ClientPage({ params }: Props) {
  const { principal, client } = await loadClient((await params).id);
  const apiIds = client.apiPermissions.map((scope) => scope.id);
  // The rule of lib/clients/manage-clients.ts: every scope it holds, of every API, must be the
  // manager's to allow.
  const canManage =
    can(principal, "clients.write") &&
    scopesBeyond(principal, client.scopes).length === 0 &&
    (await ungrantable(principal, apiIds)).missing.length === 0;
  const apis = canManage
    ? {
        ...(await permissionCatalog({ actor: principal })),
        chosen: await catalogEntries(principal, apiIds),
        load: clientCatalogAction,
      }
    : undefined;
  const hidden = { clientId: client.id };
  return (
    <>
      <PageHeader
        breadcrumbs={[{ label: "API clients", href: "/clients" }, { label: client.name }]}
        title={client.name}
        description={client.description || undefined}
      />
      <div className="flex flex-col gap-6">
        <section aria-labelledby="about" className={card}>
          <h2 id="about" className="mb-3 text-lg font-semibold">
            About
          </h2>
          <dl className="grid grid-cols-[max-content_1fr] gap-x-6 gap-y-2 text-sm">
            <dt className="text-slate-600 dark:text-slate-400">Client ID</dt>
            <dd className="font-mono text-xs">{client.id}</dd>
            <dt className="text-slate-600 dark:text-slate-400">Status</dt>
            <dd>
              <ClientStatusBadge status={client.status} />
              {client.status === "orphaned" && (
                <span className="ml-2 text-xs text-amber-800 dark:text-amber-300">
                  Its owner is disabled or deleted: it gets no tokens until someone becomes its owner.
                </span>
              )}
            </dd>
            <dt className="text-slate-600 dark:text-slate-400">Owner</dt>
            <dd>{client.owner ? `${client.owner.name} (${client.owner.email})` : "None"}</dd>
            {client.pendingOwner && (
              <>
                <dt className="text-slate-600 dark:text-slate-400">Proposed owner</dt>
                <dd>
                  {client.pendingOwner.name} ({client.pendingOwner.email}), since{" "}
                  {formatDate(client.pendingOwner.since)}: it becomes theirs when they accept it on their API
                  clients page.
                </dd>
              </>
            )}
            <dt className="text-slate-600 dark:text-slate-400">Allowed scopes</dt>
            <dd className="font-mono text-xs">{client.scopes.join(" ") || "None"}</dd>
            <dt className="text-slate-600 dark:text-slate-400">Other APIs</dt>
            <dd>
              <ApiScopeList scopes={client.apiPermissions} />
            </dd>
            <dt className="text-slate-600 dark:text-slate-400">Tokens</dt>
            <dd>{client.requireDpop ? "DPoP-bound (required)" : "Bearer or DPoP"}</dd>
            <dt className="text-slate-600 dark:text-slate-400">Registered</dt>
            <dd>{formatDate(client.createdAt)}</dd>
            <dt className="text-slate-600 dark:text-slate-400">Last token</dt>
            <dd>{formatDate(client.lastUsedAt)}</dd>
            <dt className="text-slate-600 dark:text-slate-400">Secrets</dt>
            <dd>
              <ul>
                {client.secrets.map((secret) => (
                  <li key={secret.id} className="font-mono text-xs">
                    {secret.fragment} · created {formatDate(secret.createdAt)}
                    {secret.expiresAt && ` · stops ${formatDate(secret.expiresAt)}`}
                  </li>
                ))}
              </ul>
            </dd>
          </dl>
        </section>

        {!canManage ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">
            {can(principal, "clients.write")
              ? "This client holds scopes you do not, so you cannot change it."
              : "You can see this client but not change it."}
          </p>
        ) : (
          <>
            <section aria-labelledby="edit" className={card}>
              <h2 id="edit" className="mb-4 text-lg font-semibold">
                Edit
              </h2>
              <ClientForm
                action={updateClientAction}
                held={[...principal.permissions]}
                client={client}
                apis={apis}
              />
            </section>

            <section aria-labelledby="secret" className={card}>
              <h2 id="secret" className="mb-2 text-lg font-semibold">
                Client secret
              </h2>
              <ClientSecretRotation
                clientId={client.id}
                clientName={client.name}
                action={rotateClientSecretAction}
              />
            </section>

            <section aria-labelledby="owner" className={card}>
              <h2 id="owner" className="mb-2 text-lg font-semibold">
                Owner
              </h2>
              <ReassignOwnerForm clientId={client.id} action={reassignClientAction} />
              {client.pendingOwner && (
                <ActionForm
                  action={declineClientReassignmentAction}
                  hidden={hidden}
                  label="Withdraw the proposed owner"
                  className="mt-3"
                >
                  <SubmitButton variant="secondary">
                    Withdraw the proposal to {client.pendingOwner.email}
                  </SubmitButton>
                </ActionForm>
              )}
            </section>

            <section aria-labelledby="danger" className={card}>
              <h2 id="danger" className="mb-3 text-lg font-semibold">
                Disable or delete
              </h2>
              <div className="flex flex-wrap gap-3">
                {client.status === "disabled" ? (
                  <ActionForm action={enableClientAction} hidden={hidden} label={`Enable ${client.name}`}>
                    <SubmitButton variant="secondary">Enable</SubmitButton>
                  </ActionForm>
                ) : (
                  <ActionForm action={disableClientAction} hidden={hidden} label={`Disable ${client.name}`}>
                    <ConfirmSubmit
                      label="Disable"
                      title={`Disable ${client.name}?`}
                      body="It gets no new tokens, and the tokens it holds stop working on their next request."
                      confirmLabel="Disable client"
                    />
                  </ActionForm>
                )}
                <ActionForm action={deleteClientAction} hidden={hidden} label={`Delete ${client.name}`}>
                  <ConfirmSubmit
                    label="Delete"
                    title={`Delete ${client.name}?`}
                    body="Its secrets and tokens stop at once. The audit log keeps its history. This cannot be undone."
                    confirmLabel="Delete client"
                  />
                </ActionForm>
              </div>
            </section>
          </>
        )}
      </div>
    </>
  );
}
