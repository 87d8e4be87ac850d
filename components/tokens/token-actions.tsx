"use client";

import type { ShownSecret } from "@/components/credentials/secret-panel";
import { OverlapSelect } from "@/components/credentials/overlap-select";
import { SecretPanel } from "@/components/credentials/secret-panel";
import { ActionForm, ConfirmSubmit } from "@/components/ui/action-form";
import type { ActionState } from "@/lib/http/action";

type Action<T> = (state: ActionState<T>, form: FormData) => Promise<ActionState<T>>;

/** Rotate (a new secret, with the overlap the holder picks) and revoke, each behind a confirmation. */
export function TokenActions({
  token,
  canRotate,
  rotate,
  revoke,
}: {
  token: { id: string; name: string; status: string };
  canRotate: boolean;
  rotate: Action<ShownSecret>;
  revoke: Action<undefined>;
}) {
  if (token.status !== "active") return null;
  return (
    <div className="flex flex-col items-end gap-2">
      {canRotate && (
        <ActionForm
          action={rotate}
          hidden={{ tokenId: token.id }}
          label={`Rotate ${token.name}`}
          result={(data) => (
            <SecretPanel label="New secret" secret={data.secret} example={data.example} note={data.note} />
          )}
        >
          <ConfirmSubmit
            label="Rotate"
            title={`Rotate ${token.name}?`}
            body="A new secret replaces the current one. Scopes and expiry stay the same."
            confirmLabel="Rotate token"
          >
            <OverlapSelect id={`overlap-${token.id}`} />
          </ConfirmSubmit>
        </ActionForm>
      )}
      <ActionForm action={revoke} hidden={{ tokenId: token.id }} label={`Revoke ${token.name}`}>
        <ConfirmSubmit
          label="Revoke"
          title={`Revoke ${token.name}?`}
          body="Anything using this token gets 401 from its next request. This cannot be undone."
          confirmLabel="Revoke token"
        />
      </ActionForm>
    </div>
  );
}
