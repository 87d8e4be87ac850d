"use client";

import { OverlapSelect } from "@/components/credentials/overlap-select";
import { SecretPanel } from "@/components/credentials/secret-panel";
import { ActionForm, ConfirmSubmit, SubmitButton } from "@/components/ui/action-form";
import { Badge } from "@/components/ui/badge";
import { CopyField } from "@/components/ui/copy-field";
import { formatDate } from "@/components/ui/format";
import { card } from "@/components/ui/page-header";
import { TextField } from "@/components/ui/text-field";
import type { ActionState } from "@/lib/http/action";
import type { ResourceServerCredentialView } from "@/lib/resource-servers/list-credentials";

type Action<T> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;

/** What a creation or rotation shows once. */
export type ResourceServerSecretShown = { clientId: string; secret: string; example: string; note: string };

/**
 * An API's resource-server credentials, for its page: what the API's own servers present to
 * introspect tokens (RFC 7662), and only for this API. Lists them (id, secrets by fragment, last
 * use); with `canManage`, creates one (the secret shown once), rotates a secret with an overlap and
 * revokes one behind a confirmation.
 */
export function ResourceServerCredentials({
  apiId,
  apiName,
  credentials,
  canManage,
  introspectionUrl,
  create,
  rotate,
  revoke,
}: {
  apiId: string;
  apiName: string;
  credentials: ResourceServerCredentialView[];
  /** The API's owner or an apis.write holder (only apis.write for Keyward's own API). */
  canManage: boolean;
  /** `${issuer}/api/oauth/introspect`, shown for copying. */
  introspectionUrl: string;
  create: Action<ResourceServerSecretShown>;
  rotate: Action<ResourceServerSecretShown>;
  revoke: Action<undefined>;
}) {
  const active = credentials.filter((credential) => credential.status === "active");
  const revoked = credentials.filter((credential) => credential.status === "revoked");
  return (
    <section aria-labelledby="rs-credentials-heading" className={`${card} flex flex-col gap-4`}>
      <div>
        <h2 id="rs-credentials-heading" className="text-lg font-semibold">
          Resource-server credentials
        </h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          {apiName}&apos;s servers use one to ask Keyward whether a token is usable here (introspection). The
          answer names only {apiName}&apos;s permissions. API clients cannot introspect.
        </p>
      </div>
      <CopyField label="Introspection endpoint" value={introspectionUrl} />
      {active.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          No active credential: {apiName} cannot introspect personal tokens yet.
        </p>
      ) : (
        <ul className="flex flex-col gap-3" aria-label={`Active credentials of ${apiName}`}>
          {active.map((credential) => (
            <li
              key={credential.id}
              className="flex flex-col gap-3 rounded-lg border border-slate-200 p-4 dark:border-slate-800"
            >
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-medium">{credential.name}</span>
                <Badge tone="good">Active</Badge>
                <code className="text-xs break-all">{credential.clientId}</code>
              </div>
              <dl className="grid grid-cols-1 gap-1 text-sm sm:grid-cols-[auto_1fr] sm:gap-x-4">
                <dt className="text-slate-600 dark:text-slate-400">Created</dt>
                <dd>{formatDate(credential.createdAt)}</dd>
                <dt className="text-slate-600 dark:text-slate-400">Last used</dt>
                <dd>{formatDate(credential.lastUsedAt)}</dd>
                <dt className="text-slate-600 dark:text-slate-400">Secrets</dt>
                <dd>
                  {credential.secrets.map((secret) => (
                    <span key={secret.id} className="mr-3 inline-block">
                      <code>{secret.fragment}</code>
                      {secret.expiresAt ? ` (until ${formatDate(secret.expiresAt)})` : ""}
                    </span>
                  ))}
                </dd>
              </dl>
              {canManage && (
                <div className="flex flex-wrap items-start gap-3">
                  <ActionForm
                    action={rotate}
                    hidden={{ apiId, credentialId: credential.id }}
                    label={`Rotate the secret of ${credential.name}`}
                    result={(data) => (
                      <SecretPanel
                        label="New secret"
                        secret={data.secret}
                        example={data.example}
                        note={data.note}
                      />
                    )}
                  >
                    <ConfirmSubmit
                      label="Rotate secret"
                      title={`Rotate the secret of ${credential.name}?`}
                      body="A new secret is shown once. Keep the old one working while its servers switch over."
                      confirmLabel="Rotate secret"
                    >
                      <OverlapSelect id={`rs-overlap-${credential.id}`} />
                    </ConfirmSubmit>
                  </ActionForm>
                  <ActionForm
                    action={revoke}
                    hidden={{ apiId, credentialId: credential.id }}
                    label={`Revoke ${credential.name}`}
                  >
                    <ConfirmSubmit
                      label="Revoke"
                      title={`Revoke ${credential.name}?`}
                      body={`Its next introspection is refused: ${apiName}'s servers that use it stop recognising personal tokens. This cannot be undone.`}
                      confirmLabel="Revoke credential"
                    />
                  </ActionForm>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {revoked.length > 0 && (
        <details className="text-sm">
          <summary className="cursor-pointer">Revoked ({revoked.length})</summary>
          <ul className="mt-2 flex flex-col gap-1">
            {revoked.map((credential) => (
              <li key={credential.id}>
                {credential.name} <code className="text-xs">{credential.clientId}</code>, revoked{" "}
                {formatDate(credential.revokedAt)}
              </li>
            ))}
          </ul>
        </details>
      )}
      {canManage && (
        <ActionForm
          action={create}
          hidden={{ apiId }}
          label={`New resource-server credential for ${apiName}`}
          className="flex flex-col gap-3 border-t border-slate-200 pt-4 dark:border-slate-800"
          result={(data) => (
            <SecretPanel
              label={`Client secret of ${data.clientId}`}
              secret={data.secret}
              example={data.example}
              note={data.note}
            />
          )}
        >
          {(fields) => (
            <>
              <TextField
                label="Name"
                name="name"
                required
                maxLength={100}
                placeholder="orders-api production"
                hint="Which deployment uses it, so you know what a revocation stops."
                error={fields.name}
              />
              <div>
                <SubmitButton>Create credential</SubmitButton>
              </div>
            </>
          )}
        </ActionForm>
      )}
    </section>
  );
}
