"use client";

import { useState } from "react";

import type { ClientSecretShown } from "@/components/credentials/secret-panel";
import { OverlapSelect } from "@/components/credentials/overlap-select";
import { SecretPanel } from "@/components/credentials/secret-panel";
import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import type { ActionState } from "@/lib/http/action";

type Action<T> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;

export type Offer = {
  id: string;
  name: string;
  scopes: string[];
  owner: string | null;
  proposedBy: string | null;
  /** Already formatted on the server (UTC), so server and browser render the same text. */
  since: string;
};

/**
 * The notice on the proposed owner's API clients page: each client someone proposed they own, to
 * accept (choosing how long the old secret keeps working; the new one is shown here once) or decline.
 * The list is the one the page first rendered: accepting revalidates the page, and the new secret
 * must stay on screen until it has been copied.
 */
export function OfferedClients({
  offers,
  accept,
  decline,
}: {
  offers: Offer[];
  accept: Action<ClientSecretShown>;
  decline: Action<undefined>;
}) {
  const [shown] = useState(offers);
  const [ended, setEnded] = useState<Record<string, "accepted" | "declined">>({});
  const visible = shown.filter((offer) => ended[offer.id] !== "declined");
  if (visible.length === 0) return null;
  const mark = (id: string, outcome: "accepted" | "declined") =>
    setEnded((previous) => ({ ...previous, [id]: outcome }));
  return (
    <section
      aria-labelledby="offered-clients"
      className="mb-6 rounded-xl border border-amber-300 bg-amber-50 p-6 dark:border-amber-800 dark:bg-amber-950/40"
    >
      <h2 id="offered-clients" className="text-lg font-semibold">
        {visible.length === 1 ? "An API client is offered to you" : "API clients are offered to you"}
      </h2>
      <p className="mt-1 mb-4 text-sm text-slate-700 dark:text-slate-300">
        Someone proposed that you own {visible.length === 1 ? "this client" : "these clients"}. Accepting
        makes you accountable for it: its secret is replaced by a new one that only you see, and the old
        secret keeps working only as long as you choose. Until you accept, nothing changes.
      </p>
      <ul className="flex flex-col gap-4">
        {visible.map((offer) => (
          <li
            key={offer.id}
            className="rounded-lg border border-amber-200 bg-white p-4 dark:border-amber-900 dark:bg-slate-900"
          >
            <p className="font-medium">
              {offer.name}{" "}
              <span className="font-mono text-xs text-slate-600 dark:text-slate-400">{offer.id}</span>
            </p>
            <p className="text-sm text-slate-700 dark:text-slate-300">
              Scopes <span className="font-mono text-xs">{offer.scopes.join(" ")}</span> · owner now{" "}
              {offer.owner ?? "none"} · proposed by {offer.proposedBy ?? "someone"} on {offer.since}
            </p>
            <div className="mt-3 flex flex-wrap items-end gap-3">
              <ActionForm
                action={async (previous: ActionState<ClientSecretShown>, form: FormData) => {
                  const next = await accept(previous, form);
                  if (next.status === "ok") mark(offer.id, "accepted");
                  return next;
                }}
                hidden={{ clientId: offer.id }}
                label={`Accept ${offer.name}`}
                result={(data) => (
                  <SecretPanel
                    label="Your client secret"
                    secret={data.secret}
                    example={data.example}
                    note={data.note}
                  />
                )}
              >
                {ended[offer.id] !== "accepted" && (
                  <div className="flex flex-wrap items-end gap-3">
                    <OverlapSelect id={`overlap-${offer.id}`} />
                    <SubmitButton>Accept</SubmitButton>
                  </div>
                )}
              </ActionForm>
              {ended[offer.id] !== "accepted" && (
                <ActionForm
                  action={async (previous: ActionState<undefined>, form: FormData) => {
                    const next = await decline(previous, form);
                    if (next.status === "ok") mark(offer.id, "declined");
                    return next;
                  }}
                  hidden={{ clientId: offer.id }}
                  label={`Decline ${offer.name}`}
                >
                  <SubmitButton variant="secondary">Decline</SubmitButton>
                </ActionForm>
              )}
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
