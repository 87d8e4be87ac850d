import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { cache } from "react";

import { RecentEvents } from "@/components/audit/recent-events";
import { SessionList } from "@/components/auth/session-list";
import { ActionForm, ConfirmSubmit, SubmitButton } from "@/components/ui/action-form";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { formatDate } from "@/components/ui/format";
import { card, PageHeader } from "@/components/ui/page-header";
import { UserProfileForm } from "@/components/users/user-profile-form";
import { UserRoles } from "@/components/users/user-roles";
import { listUserSessions } from "@/lib/auth/manage-sessions";
import { listUserApps } from "@/lib/oidc/connected-apps";
import { UserAppList } from "@/components/users/user-app-list";
import { pageData, requirePageUser } from "@/lib/http/page";
import { mailConfigured } from "@/lib/mail/mailer";
import { can } from "@/lib/policy/authorize";
import { PERMISSION_DESCRIPTIONS } from "@/lib/policy/permissions";
import { grantableRoles } from "@/lib/roles/grantable-roles";
import { getUser } from "@/lib/users/get-user";
import { userIdSchema } from "@/lib/users/user-schemas";

import {
  assignRoleAction,
  deleteUserAction,
  disableUserAction,
  endAllUserSessionsAction,
  endUserAppAction,
  endUserSessionAction,
  enableUserAction,
  removeRoleAction,
  resetMfaAction,
  resetPasswordAction,
  resendInvitationAction,
  revokeInvitationAction,
  updateUserAction,
} from "../actions";

type Props = { params: Promise<{ id: string }> };

/** The page and its title share one load per request (React's cache), authorized as the page is. */
const loadUser = cache(async (rawId: string) => {
  const principal = await requirePageUser("users.read");
  const id = userIdSchema.safeParse(rawId);
  if (!id.success) notFound();
  return { principal, user: await pageData(() => getUser(principal, id.data)) };
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { user } = await loadUser((await params).id);
  return { title: `${user.name} · Users` };
}

export default async function UserPage({ params }: Props) {
  const { principal, user } = await loadUser((await params).id);
  const canWrite = can(principal, "users.write");
  const assignable = canWrite ? await grantableRoles(principal) : [];
  const self = user.id === principal.userId;
  const sessions = await pageData(() => listUserSessions(principal, user.id));
  const apps = await pageData(() => listUserApps(principal, user.id));

  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        breadcrumbs={[{ label: "Users", href: "/users" }, { label: user.name }]}
        title={user.name}
        description={user.email}
        actions={<StatusBadge status={user.status} />}
      />

      <section aria-labelledby="profile" className={card}>
        <h2 id="profile" className="mb-4 text-lg font-semibold">
          Profile
        </h2>
        <dl className="mb-4 grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-600 dark:text-slate-400">Email address</dt>
          <dd>
            {user.emailVerified ? (
              <Badge tone="good">Verified</Badge>
            ) : (
              <Badge tone="warn">Not verified</Badge>
            )}
          </dd>
          <dt className="text-slate-600 dark:text-slate-400">Created</dt>
          <dd>{formatDate(user.createdAt)}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Last sign-in</dt>
          <dd>{formatDate(user.lastSignInAt)}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Active sessions</dt>
          <dd>{user.activeSessions}</dd>
        </dl>
        {canWrite && <UserProfileForm user={user} action={updateUserAction} />}
      </section>

      {user.status === "invited" && canWrite && (
        <section aria-labelledby="invitation" className={card}>
          <h2 id="invitation" className="mb-2 text-lg font-semibold">
            Invitation
          </h2>
          <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
            {user.pendingInvitation
              ? `The invitation link works until ${formatDate(user.pendingInvitation.expiresAt)}.`
              : "No invitation link works now. Create a new one to let them in."}
          </p>
          <div className="flex flex-wrap gap-2">
            <ActionForm
              action={resendInvitationAction}
              hidden={{ userId: user.id }}
              label="Create a new invitation link"
            >
              <SubmitButton variant="secondary">Create a new link</SubmitButton>
            </ActionForm>
            {user.pendingInvitation && (
              <ActionForm
                action={revokeInvitationAction}
                hidden={{ userId: user.id }}
                label="Revoke the invitation"
              >
                <ConfirmSubmit
                  label="Revoke link"
                  title={`Revoke the invitation for ${user.email}?`}
                  body="The link stops working at once."
                  confirmLabel="Revoke link"
                />
              </ActionForm>
            )}
          </div>
        </section>
      )}

      <section aria-labelledby="roles" className={card}>
        <h2 id="roles" className="mb-4 text-lg font-semibold">
          Roles
        </h2>
        <UserRoles
          user={user}
          roles={user.roles}
          assignable={assignable}
          canWrite={canWrite}
          assign={assignRoleAction}
          remove={removeRoleAction}
        />
      </section>

      <section aria-labelledby="effective" className={card}>
        <h2 id="effective" className="mb-4 text-lg font-semibold">
          Effective permissions
        </h2>
        {user.effectivePermissions.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">None.</p>
        ) : (
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Effective permissions and the roles that give them</caption>
            <thead className="text-xs text-slate-600 uppercase dark:text-slate-400">
              <tr>
                <th scope="col" className="py-2 pr-4">
                  Permission
                </th>
                <th scope="col" className="py-2 pr-4">
                  What it allows
                </th>
                <th scope="col" className="py-2">
                  Given by
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {user.effectivePermissions.map(({ permission, roles }) => (
                <tr key={permission}>
                  <td className="py-2 pr-4">
                    <code>{permission}</code>
                  </td>
                  <td className="py-2 pr-4 text-slate-600 dark:text-slate-400">
                    {PERMISSION_DESCRIPTIONS[permission]}
                  </td>
                  <td className="py-2">{roles.join(", ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <h3 className="mt-6 mb-2 font-semibold">Other APIs</h3>
        {user.everyApiPermissionVia && (
          <p className="mb-2 text-sm">
            Every permission of every API, present and future, through {user.everyApiPermissionVia}.
          </p>
        )}
        {user.apiPermissions.length === 0 && !user.everyApiPermissionVia ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">None.</p>
        ) : (
          user.apiPermissions.map(({ api, permissions }) => (
            <table key={api.id} className="mb-4 w-full text-left text-sm">
              <caption className="py-1 text-left font-medium">
                {api.name}{" "}
                <code className="text-xs font-normal text-slate-600 dark:text-slate-400">
                  {api.identifier}
                </code>
              </caption>
              <thead className="text-xs text-slate-600 uppercase dark:text-slate-400">
                <tr>
                  <th scope="col" className="py-2 pr-4">
                    Permission
                  </th>
                  <th scope="col" className="py-2">
                    Given by
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {permissions.map((p) => (
                  <tr key={p.id}>
                    <td className="py-2 pr-4">
                      <code>{p.name}</code> {p.deprecated && <Badge tone="warn">Deprecated</Badge>}
                    </td>
                    <td className="py-2">{p.roles.join(", ")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))
        )}
      </section>

      {canWrite && !self && user.status === "active" && (
        <section aria-labelledby="password" className={card}>
          <h2 id="password" className="mb-2 text-lg font-semibold">
            Password
          </h2>
          <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
            {mailConfigured()
              ? "Email them a one-time link to choose a new password."
              : "Create a one-time link for them to choose a new password; you pass it on."}{" "}
            When they use it, every session of theirs ends; their next sign-in still asks for their second
            factor.
          </p>
          <ActionForm action={resetPasswordAction} hidden={{ userId: user.id }} label="Reset password">
            <ConfirmSubmit
              label="Reset password"
              title={`Reset the password of ${user.email}?`}
              body="Only after confirming who is asking. Their current password keeps working until the link is used; earlier reset links stop working."
              confirmLabel={mailConfigured() ? "Send reset link" : "Create reset link"}
            />
          </ActionForm>
        </section>
      )}

      <section aria-labelledby="factors" className={card}>
        <h2 id="factors" className="mb-4 text-lg font-semibold">
          MFA factors
        </h2>
        {user.factors.length === 0 ? (
          <p className="text-sm text-slate-600 dark:text-slate-400">No second factor enrolled.</p>
        ) : (
          <>
            <ul className="divide-y divide-slate-100 text-sm dark:divide-slate-800">
              {user.factors.map((factor) => (
                <li key={factor.id} className="py-2">
                  <span className="font-medium">{factor.name}</span> · {factor.kind} · added{" "}
                  {formatDate(factor.createdAt)} · last used {formatDate(factor.lastUsedAt)}
                </li>
              ))}
            </ul>
            {canWrite && !self && (
              <ActionForm
                action={resetMfaAction}
                hidden={{ userId: user.id }}
                label="Reset MFA"
                className="mt-4"
              >
                <ConfirmSubmit
                  label="Reset MFA"
                  title={`Reset MFA for ${user.email}?`}
                  body="Removes all their second factors and recovery codes and signs them out. Do this only after confirming who is asking, e.g. a lost phone."
                  confirmLabel="Reset MFA"
                />
              </ActionForm>
            )}
          </>
        )}
      </section>

      <section aria-labelledby="sessions" className={card}>
        <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
          <h2 id="sessions" className="text-lg font-semibold">
            Sessions
          </h2>
          {canWrite && !self && sessions.length > 0 && (
            <ActionForm
              action={endAllUserSessionsAction}
              hidden={{ userId: user.id }}
              label="End all sessions"
            >
              <ConfirmSubmit
                label="End all sessions"
                title={`Sign ${user.name} out everywhere?`}
                body="Every browser they are signed in on is signed out on its next request. Their API tokens are not affected."
                confirmLabel="End all sessions"
              />
            </ActionForm>
          )}
        </div>
        <SessionList
          sessions={sessions}
          end={endUserSessionAction}
          hidden={{ userId: user.id }}
          canEnd={canWrite && !self}
        />
      </section>

      <section aria-labelledby="apps" className={card}>
        <h2 id="apps" className="mb-4 text-lg font-semibold">
          Apps
        </h2>
        <UserAppList
          apps={apps}
          user={{ id: user.id, name: user.name }}
          end={endUserAppAction}
          canEnd={canWrite && !self}
        />
      </section>

      {user.recentEvents && (
        <section aria-labelledby="activity" className={card}>
          <h2 id="activity" className="mb-4 text-lg font-semibold">
            Recent activity
          </h2>
          <RecentEvents events={user.recentEvents} />
        </section>
      )}

      {canWrite && !self && (
        <section aria-labelledby="danger" className={`${card} border-red-200 dark:border-red-900`}>
          <h2 id="danger" className="mb-4 text-lg font-semibold">
            Access
          </h2>
          <div className="flex flex-wrap gap-3">
            {user.status === "active" && (
              <ActionForm action={disableUserAction} hidden={{ userId: user.id }} label="Disable user">
                <ConfirmSubmit
                  label="Disable user"
                  title={`Disable ${user.email}?`}
                  body="They are signed out everywhere at once and cannot sign in until enabled again."
                  confirmLabel="Disable"
                />
              </ActionForm>
            )}
            {user.status === "disabled" && (
              <ActionForm action={enableUserAction} hidden={{ userId: user.id }} label="Enable user">
                <SubmitButton variant="secondary">Enable user</SubmitButton>
              </ActionForm>
            )}
            <ActionForm action={deleteUserAction} hidden={{ userId: user.id }} label="Delete user">
              <ConfirmSubmit
                label="Delete user"
                title={`Delete ${user.email}?`}
                body="This removes the account, its sessions, factors and tokens. The audit log keeps its record. This cannot be undone."
                confirmLabel="Delete permanently"
              />
            </ActionForm>
          </div>
        </section>
      )}
    </div>
  );
}
