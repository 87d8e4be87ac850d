import type { Metadata } from "next";

import { EndSessionsOfferSlot } from "@/components/account/end-sessions-offer";
import { SecurityActivityList } from "@/components/account/security-activity-list";
import { ChangePasswordForm } from "@/components/auth/change-password-form";
import { FactorList } from "@/components/mfa/factor-list";
import { PasskeyRegister } from "@/components/mfa/passkey-register";
import { RecoveryCodesPanel } from "@/components/mfa/recovery-codes-panel";
import { TotpSetup } from "@/components/mfa/totp-setup";
import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { FormAlert } from "@/components/ui/form-alert";
import { card, PageHeader } from "@/components/ui/page-header";
import { ACTIVITY_DAYS, recentSecurityActivity } from "@/lib/account/security-activity";
import { getConfig } from "@/lib/config/env";
import { requirePageUser, safeCallbackUrl } from "@/lib/http/page";
import { myFactors } from "@/lib/mfa/manage-factors";
import { passwordChangeEffects } from "@/lib/users/change-password";

import {
  changePasswordAction,
  confirmTotpAction,
  endOtherSessionsAction,
  regenerateRecoveryCodesAction,
  removeFactorAction,
  renameFactorAction,
  startTotpAction,
} from "./actions";

export const metadata: Metadata = { title: "Security · My account" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

export default async function SecurityPage({ searchParams }: { searchParams: SearchParams }) {
  // The one page a user who must enroll a second factor can reach.
  const principal = await requirePageUser(undefined, { duringEnrollment: true });
  // An app's sign-in sent the user here to enroll first (app/interaction): it waits for them.
  const callback = safeCallbackUrl((await searchParams).callbackUrl, getConfig().publicUrl);
  const appWaiting = callback.startsWith("/interaction/") ? callback : null;
  const [{ factors, recoveryCodesLeft, required }, activity] = await Promise.all([
    myFactors(principal),
    recentSecurityActivity(principal),
  ]);
  return (
    <div className="flex flex-col gap-6">
      <PageHeader
        // During forced enrollment My account is closed: no trail leads there.
        breadcrumbs={
          principal.mustEnrollMfa
            ? undefined
            : [{ label: "My account", href: "/account" }, { label: "Security" }]
        }
        title="Security"
        description="Second factors protect your account even if your password leaks."
      />
      {principal.mustEnrollMfa && (
        <FormAlert>
          Your roles require a second factor. Set one up below to continue
          {appWaiting ? " signing in to the app that sent you here" : " using Keyward"}.
        </FormAlert>
      )}
      {appWaiting && !principal.mustEnrollMfa && (
        <section aria-labelledby="app-waiting" className={card}>
          <h2 id="app-waiting" className="mb-2 text-lg font-semibold">
            Your second factor is set up
          </h2>
          <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
            The app you were signing in to is waiting.
          </p>
          <a
            href={appWaiting}
            className="inline-flex items-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-medium text-white hover:bg-indigo-500"
          >
            Continue signing in
          </a>
        </section>
      )}
      <section aria-labelledby="factors" className={card}>
        <h2 id="factors" className="mb-4 text-lg font-semibold">
          Your second factors{" "}
          {required && (
            <span className="text-sm font-normal text-slate-600 dark:text-slate-400">(required for you)</span>
          )}
        </h2>
        <EndSessionsOfferSlot action={endOtherSessionsAction}>
          <FactorList factors={factors} rename={renameFactorAction} remove={removeFactorAction} />
        </EndSessionsOfferSlot>
      </section>
      <section aria-labelledby="add-passkey" className={card}>
        <h2 id="add-passkey" className="mb-2 text-lg font-semibold">
          Add a passkey or security key
        </h2>
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
          The strongest choice: it cannot be phished, and a passkey also lets you sign in without your
          password.
        </p>
        <PasskeyRegister endOtherSessions={endOtherSessionsAction} />
      </section>
      <section aria-labelledby="add-totp" className={card}>
        <h2 id="add-totp" className="mb-4 text-lg font-semibold">
          Add an authenticator app
        </h2>
        <TotpSetup
          start={startTotpAction}
          confirm={confirmTotpAction}
          endOtherSessions={endOtherSessionsAction}
        />
      </section>
      {factors.length > 0 && (
        <section aria-labelledby="recovery" className={card}>
          <h2 id="recovery" className="mb-4 text-lg font-semibold">
            Recovery codes
          </h2>
          <RecoveryCodesPanel left={recoveryCodesLeft} regenerate={regenerateRecoveryCodesAction} />
        </section>
      )}
      <section aria-labelledby="password" className={card}>
        <h2 id="password" className="mb-4 text-lg font-semibold">
          Password
        </h2>
        <ChangePasswordForm action={changePasswordAction} effects={await passwordChangeEffects(principal)} />
      </section>
      <section aria-labelledby="activity" className={card}>
        <h2 id="activity" className="mb-2 text-lg font-semibold">
          Recent security activity
        </h2>
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
          Changes to how your account signs in and what it may do, by you or an administrator. Something you
          do not recognise? Change your password, sign out your other sessions and tell your administrator.
        </p>
        <SecurityActivityList items={activity} days={ACTIVITY_DAYS} />
      </section>
      <section aria-labelledby="elsewhere" className={card}>
        <h2 id="elsewhere" className="mb-2 text-lg font-semibold">
          Other sessions
        </h2>
        <p className="mb-4 text-sm text-slate-600 dark:text-slate-400">
          Changed a factor because a device was lost or shared? Sign out everywhere else; this browser stays
          signed in.
        </p>
        <ActionForm action={endOtherSessionsAction} label="Sign out other sessions">
          <SubmitButton variant="secondary">Sign out my other sessions</SubmitButton>
        </ActionForm>
      </section>
    </div>
  );
}
