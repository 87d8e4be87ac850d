import type { Metadata } from "next";

import { SessionList } from "@/components/auth/session-list";
import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { Badge } from "@/components/ui/badge";
import { CheckboxField } from "@/components/ui/checkbox-field";
import { getNotificationPreferences } from "@/lib/account/notification-preferences";
import { listMySessions } from "@/lib/auth/manage-sessions";
import { db } from "@/lib/db/client";
import { requirePageUser } from "@/lib/http/page";
import { mailConfigured } from "@/lib/mail/mailer";
import { PERMISSION_DESCRIPTIONS } from "@/lib/policy/permissions";
import { getSettings } from "@/lib/settings/settings";
import { emailVerified } from "@/lib/users/email-verification";

import { endMySessionAction, sendEmailVerificationAction, updateNotificationsAction } from "./actions";

export const metadata: Metadata = { title: "My account" };

export default async function AccountPage() {
  const principal = await requirePageUser();
  const [user, session, sessions, notifications, settings] = await Promise.all([
    db.user.findUniqueOrThrow({
      where: { id: principal.userId },
      select: {
        createdAt: true,
        emailVerifiedAt: true,
        roles: { select: { role: { select: { name: true } } } },
      },
    }),
    db.session.findUniqueOrThrow({
      where: { id: principal.sessionId },
      select: { createdAt: true, expiresAt: true },
    }),
    listMySessions(principal),
    getNotificationPreferences(principal),
    getSettings(db),
  ]);
  const permissions = [...principal.permissions].sort();
  return (
    <div className="flex flex-col gap-8">
      <header>
        <h1 className="text-2xl font-semibold">My account</h1>
        <p className="mt-1 text-slate-600 dark:text-slate-400">You are signed in as {principal.email}.</p>
      </header>
      <section
        aria-labelledby="profile"
        className="rounded-xl border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 id="profile" className="text-lg font-semibold">
          Profile
        </h2>
        <dl className="mt-4 grid grid-cols-1 gap-x-6 gap-y-3 text-sm sm:grid-cols-[10rem_1fr]">
          <dt className="text-slate-600 dark:text-slate-400">Name</dt>
          <dd>{principal.name}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Email</dt>
          <dd>
            <span className="flex flex-wrap items-center gap-2">
              {principal.email}
              {emailVerified(user) ? (
                <Badge tone="good">Verified</Badge>
              ) : (
                <Badge tone="warn">Not verified</Badge>
              )}
            </span>
            <span className="mt-1 block text-slate-600 dark:text-slate-400">
              {emailVerified(user)
                ? "You proved this address is yours by using a link Keyward mailed to it."
                : mailConfigured()
                  ? "Keyward has not yet seen a link it mailed to this address being used: ask for one here."
                  : "Verifying an address needs email, which is not configured here."}
            </span>
            {!emailVerified(user) && mailConfigured() && (
              <ActionForm action={sendEmailVerificationAction} label="Verify your email" className="mt-2">
                <SubmitButton variant="secondary">Verify your email</SubmitButton>
              </ActionForm>
            )}
          </dd>
          <dt className="text-slate-600 dark:text-slate-400">Roles</dt>
          <dd>{user.roles.map(({ role }) => role.name).join(", ") || "None"}</dd>
          <dt className="text-slate-600 dark:text-slate-400">Member since</dt>
          <dd>
            <time dateTime={user.createdAt.toISOString()}>{user.createdAt.toUTCString()}</time>
          </dd>
          <dt className="text-slate-600 dark:text-slate-400">This session</dt>
          <dd>
            Signed in{" "}
            <time dateTime={session.createdAt.toISOString()}>{session.createdAt.toUTCString()}</time>; ends by{" "}
            <time dateTime={session.expiresAt.toISOString()}>{session.expiresAt.toUTCString()}</time>
          </dd>
        </dl>
      </section>
      <section
        aria-labelledby="permissions"
        className="rounded-xl border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 id="permissions" className="text-lg font-semibold">
          Your permissions
        </h2>
        {permissions.length === 0 ? (
          <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
            None: you can manage your own account. An administrator can give you a role.
          </p>
        ) : (
          <ul className="mt-4 grid gap-2 text-sm">
            {permissions.map((permission) => (
              <li key={permission}>
                <code className="rounded bg-slate-100 px-1.5 py-0.5 dark:bg-slate-800">{permission}</code>{" "}
                <span className="text-slate-600 dark:text-slate-400">
                  {PERMISSION_DESCRIPTIONS[permission]}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section
        aria-labelledby="notifications"
        className="rounded-xl border border-slate-200 bg-white p-6 dark:border-slate-800 dark:bg-slate-900"
      >
        <h2 id="notifications" className="text-lg font-semibold">
          Notifications
        </h2>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          {mailConfigured()
            ? `What Keyward emails to ${principal.email} without being asked.`
            : "Email is not configured on this Keyward (it needs an SMTP server), so nothing is sent for now. Your choices are kept for when it is."}
        </p>
        <ActionForm
          action={updateNotificationsAction}
          label="Notifications"
          className="mt-4 flex flex-col gap-4"
        >
          <CheckboxField
            name="credentialDigest"
            label="Weekly credential digest"
            hint="Once a week, a list of your API tokens and clients that are about to expire, went unused or hold permissions they do not use, with where to fix each. Sent only when there is something to say."
            defaultChecked={notifications.credentialDigest}
          />
          {notifications.mayReceiveFailureAlerts && (
            <CheckboxField
              name="failureAlerts"
              label="Sign-in failure alerts"
              hint={`An email when failed sign-ins reach ${settings.failureAlertPerHour} in an hour (the threshold is in Settings), with the top source addresses and targeted accounts. At most one an hour.`}
              defaultChecked={notifications.failureAlerts}
            />
          )}
          <div>
            <SubmitButton variant="secondary">Save notifications</SubmitButton>
          </div>
        </ActionForm>
      </section>
      <section aria-labelledby="sessions" className="flex flex-col gap-3">
        <h2 id="sessions" className="text-lg font-semibold">
          Where you are signed in
        </h2>
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Sign out of any browser you do not recognise, then change your password. (Security has “Sign out
          everywhere else”.)
        </p>
        <SessionList sessions={sessions} end={endMySessionAction} canEnd />
      </section>
    </div>
  );
}
