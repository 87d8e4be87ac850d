"use client";

import { createContext, useContext, useState } from "react";

import { useStepUpAction } from "@/components/auth/use-step-up-action";
import { Button } from "@/components/ui/button";
import { FormAlert } from "@/components/ui/form-alert";
import type { ActionState } from "@/lib/http/action";

type EndOthers = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;

/**
 * After a factor is added or removed, the same offer as after a password change: end every other
 * session. A factor changed because a device was lost or seen by someone else leaves that device
 * signed in otherwise.
 */
export function EndSessionsOffer({ action, onDismiss }: { action: EndOthers; onDismiss?: () => void }) {
  const [state, formAction, pending, dialog] = useStepUpAction(action);
  if (state.status === "ok") return <FormAlert tone="success">{state.message}</FormAlert>;
  return (
    <section
      aria-labelledby="end-sessions-offer"
      className="rounded-lg border border-slate-200 bg-slate-50 p-4 dark:border-slate-700 dark:bg-slate-800/50"
    >
      <h3 id="end-sessions-offer" className="font-semibold">
        Sign out your other sessions?
      </h3>
      <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
        If you changed a factor because a device was lost or someone else may have used it, sign out
        everywhere else. This browser stays signed in.
      </p>
      {state.status === "error" && (
        <div className="mt-3">
          <FormAlert>{state.message}</FormAlert>
        </div>
      )}
      <form action={formAction} className="mt-3 flex gap-2">
        <Button type="submit" pending={pending}>
          Sign out my other sessions
        </Button>
        {onDismiss && (
          <Button type="button" variant="secondary" onClick={onDismiss}>
            Not now
          </Button>
        )}
      </form>
      {dialog}
    </section>
  );
}

/** Lets a factor's form, which goes away with the factor, leave the offer behind in the section. */
const OfferContext = createContext<() => void>(() => undefined);

export const useOfferEndSessions = () => useContext(OfferContext);

export function EndSessionsOfferSlot({ action, children }: { action: EndOthers; children: React.ReactNode }) {
  const [offered, setOffered] = useState(0);
  return (
    <OfferContext.Provider value={() => setOffered((n) => n + 1)}>
      {offered > 0 && (
        <div className="mb-4">
          <EndSessionsOffer key={offered} action={action} onDismiss={() => setOffered(0)} />
        </div>
      )}
      {children}
    </OfferContext.Provider>
  );
}
