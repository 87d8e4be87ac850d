import { ActionForm, SubmitButton } from "@/components/ui/action-form";
import { Badge } from "@/components/ui/badge";
import { formatDate } from "@/components/ui/format";
import type { ActionState } from "@/lib/http/action";

import { RemoveFactorForm } from "./remove-factor-form";

type Action = (state: ActionState<undefined>, form: FormData) => Promise<ActionState<undefined>>;
type Factor = {
  id: string;
  kind: "totp" | "webauthn";
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  backedUp: boolean | null;
};

const input =
  "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";

export function FactorList({
  factors,
  rename,
  remove,
}: {
  factors: Factor[];
  rename: Action;
  remove: Action;
}) {
  if (factors.length === 0) {
    return (
      <p className="text-sm text-slate-600 dark:text-slate-400">
        No second factor yet. Add one below: it keeps your account safe even if your password leaks.
      </p>
    );
  }
  return (
    <ul className="divide-y divide-slate-100 dark:divide-slate-800">
      {factors.map((factor) => (
        <li key={factor.id} className="flex flex-wrap items-center justify-between gap-3 py-3">
          <div>
            <p className="font-medium">
              {factor.name}{" "}
              <Badge>{factor.kind === "totp" ? "Authenticator app" : "Passkey or security key"}</Badge>{" "}
              {factor.backedUp && <Badge tone="info">Synced</Badge>}
            </p>
            <p className="text-xs text-slate-600 dark:text-slate-400">
              Added {formatDate(factor.createdAt)} · last used {formatDate(factor.lastUsedAt)}
            </p>
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <ActionForm
              action={rename}
              hidden={{ factorId: factor.id }}
              label={`Rename ${factor.name}`}
              className="flex items-center gap-2"
            >
              <label className="sr-only" htmlFor={`name-${factor.id}`}>
                New name for {factor.name}
              </label>
              <input
                id={`name-${factor.id}`}
                name="name"
                defaultValue={factor.name}
                maxLength={60}
                required
                className={input}
              />
              <SubmitButton variant="secondary">Rename</SubmitButton>
            </ActionForm>
            <RemoveFactorForm action={remove} factor={factor} />
          </div>
        </li>
      ))}
    </ul>
  );
}
